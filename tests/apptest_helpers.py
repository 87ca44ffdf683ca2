"""Helpers for AppTest tests: open the app signed in, find widgets by label, read what a page shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from core import auth

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
TIMEOUT = 30
WIDGET_KINDS = ("text_input", "selectbox", "radio", "checkbox", "date_input", "number_input", "text_area")


def open_app(cookie: str | None = None) -> AppTest:
    """The app after its first run; signed in when a session cookie is given (AppTest cannot set cookies)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if cookie is not None:
        at.session_state["auth_cookie"] = cookie
    return at.run()


def open_page(database, user: dict, page_file: str) -> AppTest:
    """The app signed in as ``user``, switched to ``page_file`` (e.g. ``pages/kandidat.py``)."""
    at = open_app(auth.start_session(database, user))
    return at.switch_page(page_file).run()


def open_script(page_file: str, cookie: str) -> AppTest:
    """A page file run on its own, outside the frame's navigation (as if someone bypassed it)."""
    at = AppTest.from_file(str(ROOT / page_file), default_timeout=TIMEOUT)
    at.session_state["auth_cookie"] = cookie
    return at.run()


def widget(block, label: str):
    """The one input widget in ``block`` with this label."""
    found = [w for kind in WIDGET_KINDS for w in getattr(block, kind) if w.label == label]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]


def fill(block, values: dict[str, object]):
    """Set widgets by label; returns ``block`` so a submit can follow."""
    for label, value in values.items():
        widget(block, label).set_value(value)
    return block


def submit(form) -> AppTest:
    """Click the form's (only) submit button and rerun."""
    return form.form_submit_button[0].click().run()


def texts(elements) -> list[str]:
    """The values of alert/heading elements as strings."""
    return [str(e.value) for e in elements]


def shown_text(at: AppTest) -> str:
    """Everything the app shows as text, tables included — to prove what is *not* shown."""
    parts = []
    for node in [*at.main, *at.sidebar]:
        if not hasattr(node, "value"):
            continue
        try:
            value = node.value
        except Exception:  # noqa: BLE001 — some elements have no readable value; skip them
            continue
        parts.append(value.to_csv() if isinstance(value, pd.DataFrame) else str(value))
    return "\n".join(parts)
