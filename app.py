"""Dasbor Assessment Center — the frame: sign-in state, navigation by role, shared sidebar.

``streamlit run app.py`` serves the ``app`` below (Streamlit plus the sign-in routes) and runs
this file as the script on every page view. Module-level code here is definitions only.
"""

from __future__ import annotations

import logging
import re

import streamlit as st

import routing
import web
from core import auth, db, dbfailure, registry
from core.i18n import t
from core.roles import is_lead
from core.textutil import escape_markdown
from pages import common


def friendly_error(exc: Exception) -> bool:
    """No traceback reaches a user: log it for the admin, show a plain apology — or, for a damaged,
    read-only or full database, what is wrong and what to do."""
    logging.getLogger("dasbor").error("unhandled error in a page", exc_info=exc)
    kind = dbfailure.kind_of(exc)
    st.error(dbfailure.message(kind, detail=escape_markdown(str(exc))) if kind else t("app.unexpected_error"))
    return True


app = st.App(__file__, routes=web.routes(), middleware=web.middleware(), on_script_error=friendly_error)

routing.frame_is_the_router()  # before the first session: the pages/ folder must not route (see routing.py)

PAGES = {
    # key: (file, catalog key of the title, icon, roles that see it)
    "beranda": ("pages/beranda.py", "nav.beranda", ":material/home:", ("admin", "asesor", "pimpinan")),
    "kegiatan": ("pages/kegiatan.py", "nav.kegiatan", ":material/event:", ("admin",)),
    "jabatan": ("pages/jabatan.py", "nav.jabatan", ":material/work:", ("admin",)),
    "kandidat": ("pages/kandidat.py", "nav.kandidat", ":material/groups:", ("admin",)),
    "alat_ukur": ("pages/alat_ukur.py", "nav.alat_ukur", ":material/fact_check:", ("admin",)),
    "penilaian": ("pages/penilaian.py", "nav.penilaian", ":material/rate_review:", ("asesor",)),
    "integrasi": ("pages/integrasi.py", "nav.integrasi", ":material/diversity_3:", ("admin", "lead")),
    "hasil": ("pages/hasil.py", "nav.hasil", ":material/leaderboard:", ("admin", "pimpinan", "lead")),
    "talenta": ("pages/talenta.py", "nav.talenta", ":material/grid_view:", ("admin", "pimpinan")),
    "kualitas": ("pages/kualitas.py", "nav.kualitas", ":material/verified:", ("admin", "lead")),
    "presentasi": ("pages/presentasi.py", "nav.presentasi", ":material/slideshow:", ("admin", "pimpinan")),
    "laporan": ("pages/laporan.py", "nav.laporan", ":material/description:", ("admin", "pimpinan", "lead")),
    "verifikasi": ("pages/verifikasi.py", "nav.verifikasi", ":material/qr_code_scanner:",
                   ("admin", "asesor", "pimpinan")),
    "pengaturan": ("pages/pengaturan.py", "nav.pengaturan", ":material/settings:", ("admin",)),
    "akun": ("pages/akun.py", "nav.akun", ":material/person:", ("admin", "asesor", "pimpinan")),
}
RESERVED = {"mulai", "masuk-aplikasi", "verifikasi", "masuk", "keluar", "beranda-utama"}
SECTIONS = {"nav.section.utama": ["beranda"],
            "nav.section.persiapan": ["kegiatan", "jabatan", "kandidat"],
            "nav.section.penilaian": ["alat_ukur", "penilaian", "integrasi"],
            "nav.section.hasil": ["hasil", "talenta", "kualitas", "presentasi", "laporan"],
            "nav.section.sistem": ["verifikasi", "pengaturan", "akun"]}


def pages_for(roles: set[str], tr) -> dict:
    """The navigation sections with only the pages these ``roles`` may open ("lead" = Ketua Tim).

    Every other known address (another role's page typed in, an old bookmark) leads to a hidden page
    that says so in the user's language, instead of Streamlit's English "Page not found"."""
    nav = {}
    for section, keys in SECTIONS.items():
        # Beranda is the default page, served at "/"; Streamlit reserves its url_path but does not serve it,
        # so it gets a name nobody types, and "/beranda" a hidden page that goes home (below).
        allowed = [st.Page(PAGES[k][0], title=tr(PAGES[k][1]), icon=PAGES[k][2],
                           url_path="beranda-utama" if k == "beranda" else k, default=(k == "beranda"))
                   for k in keys if roles & set(PAGES[k][3])]
        if allowed:
            nav[tr(section)] = allowed
    closed = [k for k in PAGES if not roles & set(PAGES[k][3])] + unknown_address(set(PAGES))
    # "/beranda" (a bookmark, a typed address) goes home instead of Streamlit's English "Page not found".
    hidden = [st.Page(go_home, title=tr("nav.beranda"), url_path="beranda", visibility="hidden")]
    hidden += [st.Page(not_available, title=tr("nav.not_available"), url_path=k, visibility="hidden")
               for k in closed]
    nav[""] = hidden
    return nav


def go_home() -> None:
    st.switch_page(PAGES["beranda"][0])


def unknown_address(known: set[str]) -> list[str]:
    """The address asked for when it is none of ours (a typo): it gets the same hidden page."""
    wanted = routing.requested_page()
    if wanted and re.fullmatch(r"[a-z0-9_-]{1,60}", wanted) and wanted not in known | RESERVED:
        return [wanted]
    return []


def not_available() -> None:
    """An address this role may not open, or none of ours: say so, and offer the way home."""
    from pages.common import tr

    st.title(tr("nav.not_available"))
    st.warning(tr("nav.not_available_text"), icon=":material/block:")
    st.page_link(PAGES["beranda"][0], label=tr("nav.beranda"), icon=PAGES["beranda"][2])


def sidebar(database, user, tr) -> None:
    """Who is signed in, the event being worked on, sign-out."""
    events = registry.list_events(database)
    with st.sidebar:
        st.caption(tr("sidebar.signed_in_as"))
        st.markdown(f"**{_plain(user['full_name'])}** · {tr('role.' + user['role'])}")
        if events:
            ids = [e["id"] for e in events]
            names = {e["id"]: e["name"] for e in events}
            wanted = st.session_state.pop("pending_event_id", None)  # a page just created an event
            if wanted in ids or st.session_state.get("sidebar_event") not in ids:
                st.session_state["sidebar_event"] = wanted if wanted in ids else ids[0]
            # A list of whole names while it is short (a select box cuts a long event name to one line).
            picker = st.radio if len(ids) <= SIDEBAR_LIST_MAX else st.selectbox
            st.session_state["event_id"] = picker(tr("sidebar.event"), ids, key="sidebar_event",  # options: markdown
                                                  format_func=lambda i: _plain(names[i]))
        else:
            st.session_state.pop("event_id", None)
        if st.button(tr("sidebar.logout"), icon=":material/logout:", width="stretch", key="sidebar_logout"):
            common.redirect("/keluar?t=" + auth.sign_out_token(database, common.session_cookie()))


# Our own constant stylesheet (no user text). Streamlit's built-in English hints ("Press Ctrl+Enter to
# submit form") and the table toolbar's English tooltips cannot be translated, so an Indonesian
# session does without them.
SIDEBAR_LIST_MAX = 6
STYLE_ALWAYS = ".st-key-sidebar_event label p {overflow-wrap: anywhere;}"
# Streamlit's other English words the same way: the uploader's size note goes (each page names its own limit);
# the uploader's button and the keyboard's "Skip to main content" link show a word from the catalog instead.
UPLOAD_BUTTON = "[data-testid='stFileUploaderDropzone'] [data-testid='stBaseButton-secondary'] p"
SKIP_LINK = "a[data-testid='stSkipToContent'][href]"  # as specific as Streamlit's own rule, and later
REWORDED = {UPLOAD_BUTTON: ("app.upload_button", "0.875rem"), SKIP_LINK: ("app.skip_to_content", "1rem")}
STYLE_INDONESIAN = ("[data-testid='InputInstructions'], [data-testid='stElementToolbar'], "
                    "[data-testid='stFileUploaderDropzoneInstructions'] {display: none;}")


def reworded(selector: str, word: str, size: str) -> str:
    """CSS that shows ``word`` (a catalog text, kept to plain characters) in place of an element's own text."""
    word = re.sub(r"[^\w .,-]", "", word)
    return f" {selector} {{font-size: 0;}} {selector}::after {{content: '{word}'; font-size: {size};}}"


def look(language: str) -> None:
    """The app's stylesheet for this user's language."""
    style = STYLE_ALWAYS
    if language != "en":
        style += STYLE_INDONESIAN + "".join(reworded(selector, t(key, language), size)
                                            for selector, (key, size) in REWORDED.items())
    st.html(f"<style>{style}</style>")


def _plain(text: str) -> str:
    """User text shown through markdown: escape the characters markdown would act on."""
    return escape_markdown(text)


def signed_out(database, tr) -> None:
    """No valid session: the first-run screen on an empty install, else sign-in; Verifikasi stays open to all."""
    if auth.needs_first_admin(database):
        home = st.Page("pages/mulai.py", title=tr("nav.mulai"), url_path="mulai", default=True)
    else:
        home = st.Page(go_to_sign_in, title=tr("login.submit"), url_path="masuk-aplikasi", default=True)
    verify = st.Page("pages/verifikasi.py", title=tr("nav.verifikasi"), url_path="verifikasi")
    st.navigation([home, verify], position="hidden").run()


def go_to_sign_in() -> None:
    """Send the browser to the /masuk form (it sets the HttpOnly session cookie)."""
    target = "/masuk?info=habis" if common.session_cookie() else "/masuk"
    st.title(t("app.title"))
    st.info(t("app.please_sign_in"))
    st.link_button(t("login.submit"), target, type="primary")
    common.redirect(target)


def main() -> None:
    # "auto": the sidebar starts closed on a tablet, so the page's tables keep their width.
    st.set_page_config(page_title="Dasbor Assessment Center", page_icon=":material/analytics:", layout="wide",
                       initial_sidebar_state="auto")
    try:
        database = common.database()
    except db.IntegrityFailure as err:  # a damaged file: say so plainly, change nothing
        st.error(t("app.integrity_failed", detail=str(err)[:300]))
        return
    common.daily_backup()
    user = common.current_user(database)
    st.session_state["user"] = user
    if user is None:
        look("id")
        signed_out(database, lambda key: t(key, "id"))
        return
    tr = common.tr
    look(user["language"])
    roles = {user["role"]} | ({"lead"} if user["role"] == "asesor" and is_lead(database, user["id"]) else set())
    nav = st.navigation(pages_for(roles, tr), expanded=True)  # every page of the role in view, no "more"
    sidebar(database, user, tr)
    nav.run()


if __name__ == "__main__":
    main()
