"""What every page shares: the database handle, the signed-in user, translation, guards, messages."""

from __future__ import annotations

import inspect
import json
import logging
import re

import streamlit as st

from core import auth, freshness, outcomes, registry, results, settings, setup
from core.errors import DomainError
from core.i18n import catalog, t
from core.textutil import escape_markdown

log = logging.getLogger("dasbor")


def database():
    """A fresh connection for this script run (never kept across runs: each rerun is a new thread)."""
    return setup.open_app_database()


_last_daily_check = [0.0]


def daily_backup() -> None:
    """The scheduled daily backup: checked at most every 10 minutes, on whichever page runs then."""
    import time

    from core import backup

    if time.monotonic() - _last_daily_check[0] < 600:
        return
    _last_daily_check[0] = time.monotonic()
    try:
        backup.ensure_daily(setup.default_path())
    except Exception:  # noqa: BLE001 — a failed backup must not stop the page; the admin sees it in the log
        log.exception("daily backup failed")


def session_cookie() -> str | None:
    """The signed session cookie; tests may put one in ``session_state`` (still verified the same way)."""
    cookie = st.context.cookies.get(auth.COOKIE_NAME)
    return cookie if isinstance(cookie, str) and cookie else st.session_state.get("auth_cookie")


def current_user(database=None) -> dict | None:
    """The signed-in, active user of this browser session, or ``None``."""
    return auth.session_user(database or setup.open_app_database(), session_cookie())


def lang() -> str:
    user = st.session_state.get("user")
    return user["language"] if user else "id"


def tr(key: str, **params) -> str:
    """Translate in the signed-in user's language."""
    return t(key, lang(), **params)


def guard(*roles: str) -> tuple:
    """Stop the page unless the user has one of ``roles``; returns ``(database, user)``."""
    database = setup.open_app_database()
    user = current_user(database)
    if user is None or user["role"] not in roles:
        st.error(tr("auth.forbidden"))
        st.stop()
    st.session_state["user"] = user
    show_flash()
    return database, user


def event_for(user: dict, database) -> dict:
    """The chosen event; an asesor gets further only as that event's Ketua Tim (Hasil, Kualitas, …)."""
    event = registry.get_event(database, need_event())
    if user["role"] == "asesor" and not auth.is_lead(database, user["id"], event["id"]):
        st.error(tr("integration.lead_only"))
        st.stop()
    return event


def show_error(err: Exception) -> None:
    """A domain error in the user's words (its parameters escaped: they may come from a file); a damaged,
    read-only or full database in plain words; anything else as a plain apology. Logged for the admin."""
    from core import dbfailure

    if isinstance(err, DomainError):
        st.error(safe_message(err, lang()))
    elif (kind := dbfailure.kind_of(err)) is not None:
        log.error("database failure (%s)", kind, exc_info=err)
        st.error(dbfailure.message(kind, lang(), detail=escape_markdown(str(err))))
    else:
        log.exception("unexpected error", exc_info=err)
        st.error(tr("app.unexpected_error"))


def safe_message(err: DomainError, language: str = "id") -> str:
    """The error's catalog text with every text parameter markdown-escaped; field names from the catalog
    are translated as :meth:`DomainError.message` does. Numbers stay numbers (format specs keep working)."""
    names = catalog()
    shown = {key: (t(value, language) if value in names else escape_inline(value)) if isinstance(value, str)
             else value for key, value in err.params.items()}
    return t(err.key, language, **shown)


_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~$:@])")


def escape_inline(text: str) -> str:
    """Text placed inside a sentence, made inert for markdown: no image, link, autolink (``http:``,
    ``www.``, e-mail), emphasis, HTML or Streamlit directive acts, and no line break starts a heading or
    a list. Dots and dashes inside it stay as typed ("M.02", "foto.xlsx")."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", text)
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = re.sub(r"(?i)\b(www)\.", r"\1\\.", text)
    return re.sub(r"^(\d*)([-+*.)])(?=\s|$)", r"\1\\\2", text)  # a list marker at the very start


def attempt(action, *args, success: str | None = None, **kwargs):
    """Run a ``core`` write; show its error instead of a traceback. Returns the result or ``None``."""
    try:
        result = action(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 — every failure becomes a message, never a traceback
        show_error(err)
        return None
    if success:
        st.toast(success)
    return result if result is not None else True


def rerun(message: str | None = None) -> None:
    """Rerun the page after a write; the confirmation is shown at the top of the next run."""
    if message:
        st.session_state["flash"] = message
    st.rerun()


def show_flash() -> None:
    """The confirmation a write left before its rerun (a toast would be lost in the rerun)."""
    message = st.session_state.pop("flash", None)
    if message:
        st.success(message, icon=":material/check_circle:")
        # The button was pressed further down the page: the toast shows it where the eye is.
        st.toast(message, icon=":material/check_circle:")


def petunjuk(key: str) -> None:
    """The short how-to of a page (SPEC §5: every page has one)."""
    with st.expander(tr("common.petunjuk")):
        st.markdown(tr(key))


def editable_in_setup(event: dict, locked_key: str) -> bool:
    """Setup pages edit only while the event is in persiapan; otherwise they say so (``locked_key``)."""
    editable = event["state"] == "persiapan"
    if not editable:
        st.info(tr(locked_key, state=tr("state." + event["state"])))
    return editable


def selected_event_id() -> int | None:
    return st.session_state.get("event_id")


def need_event() -> int:
    """The event chosen in the sidebar, or a hint to choose one."""
    event_id = selected_event_id()
    if event_id is None:
        st.info(tr("common.pick_event"))
        st.stop()
    return event_id


def redirect(url: str) -> None:
    """Send the browser to one of our own routes (``/masuk``, ``/keluar``) in the same tab."""
    if not url.startswith("/") or url.startswith("//") or "'" in url:
        raise ValueError("only local paths")
    st.html(f"<script>window.location.replace('{url}')</script>", unsafe_allow_javascript=True)


def plain_table(records: list[dict]) -> None:
    """A wrapped, read-only table; ``st.table`` renders markdown, so every cell is escaped."""
    st.table([{escape_markdown(k): escape_markdown(v) if isinstance(v, str) else v for k, v in r.items()}
              for r in records])


def row_problems(errors) -> None:
    """The row-level report of a refused import: row, column, problem (what came from the file stays plain)."""
    plain_table([{tr("import.col_row"): e.row, tr("import.col_column"): e.column or "–",
                  tr("import.col_problem"): e.text(lang())} for e in errors])


@st.cache_data(max_entries=512, show_spinner=False)
def _chart_spec(_builder, name: str, arguments: str) -> dict:  # noqa: ARG001 (name keys the cache for _builder)
    """Building an Altair chart costs ~100 ms; its Vega-Lite spec is cached by the chart's name and data."""
    return _builder(**json.loads(arguments)).to_dict(validate=False)


def chart(builder, width: str | int = "content", **arguments) -> None:
    """Show ``builder(**arguments)``, a function of ``core.charts``, in the user's language; the same arguments
    give the cached spec."""
    if "lang" in inspect.signature(builder).parameters:
        arguments["lang"] = lang()
    spec = _chart_spec(builder, f"{builder.__module__}.{builder.__qualname__}",
                       json.dumps(arguments, sort_keys=True, ensure_ascii=False, default=str))
    st.vega_lite_chart(spec, width=width, theme=None)


def jpm_text(database, value) -> str:
    """JPM with a decimal comma (``88,89%``), capped at 100 when the admin's setting says so."""
    return outcomes.jpm_text(value, settings.get(database, "jpm_display_cap"), lang())


def show_checks(checks) -> None:
    """The list of checks before a state change: what passed, and for what failed, what is wrong — in full."""
    for check in checks:
        if check.ok:
            st.success(tr(check.key), icon=":material/check:")
            continue
        st.error(tr(check.key + "_fail", n=len(check.problems)), icon=":material/error:")
        if check.problems:
            st.caption("  \n".join(escape_markdown(p) for p in check.problems))


def fresh(cached, database, *args):
    """``cached(version, *args)`` at the database's current data version (``core.freshness``): every write
    anywhere moves the version on, so no cache outlives a change. Taken again if a write lands in between."""
    for _ in range(3):
        try:
            return cached(freshness.data_version(database), *args)
        except freshness.Stale:
            continue
    raise freshness.Stale("the database kept changing")


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_outcome(version: str, event_id: int) -> outcomes.Outcome:
    """``outcomes.outcome``, shared by Hasil, Talenta, Presentasi and Laporan."""
    return freshness.read_at(database(), version, outcomes.outcome, event_id)


@st.cache_data(ttl=900, max_entries=16, show_spinner=False)
def cached_competencies(version: str, event_id: int):
    """``results.competency_table`` (levels, standards, gaps) for heat maps and radars."""
    return freshness.read_at(database(), version, results.competency_table, event_id)
