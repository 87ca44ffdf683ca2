"""The workarounds of Streamlit internals, in one place: app.py is the only router, although a ``pages/``
folder exists; and the page name a browser asked for (for the "not available" page).

A ``pages/`` folder beside the main script makes every new ``PagesManager`` switch on Streamlit's old
multipage mode (``PagesManager.uses_pages_directory``): the first script run of a session then executes
the requested page file directly, without the frame in app.py; ``st.navigation`` switches the mode off,
but only for the runs after it. Streamlit 1.67 has no setting for this (``client.showSidebarNavigation``
only hides the page list), so the flag is set here. tests/test_routing.py fails when this is removed,
and also when Streamlit no longer needs it.
"""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager


def frame_is_the_router() -> None:
    """Switch the old ``pages/`` mode off for every later session of this process (call before the first)."""
    PagesManager.uses_pages_directory = False


class FrameRoutedPagesManager(PagesManager):
    """For ``AppTest``, which resets the flag before each run: switch the mode off again once it is decided."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        frame_is_the_router()


def requested_page() -> str | None:
    """The page name the browser asked for in this run (Streamlit keeps it on its pages manager, internal):
    app.py shows an unknown address the same Indonesian "not available" page as a forbidden one."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    wanted = getattr(ctx.pages_manager, "intended_page_name", None) if ctx else None
    return wanted if isinstance(wanted, str) else None
