"""First run: create the first admin account (there is no default password) and maybe the demo data."""

import streamlit as st

from core import auth, demo
from pages.common import attempt, database, redirect, tr

db = database()


def already_done() -> None:
    st.success(tr("mulai.done"))
    if st.button(tr("login.submit"), type="primary", key="mulai_done_login"):
        redirect("/masuk?info=admin")


def first_admin_form() -> dict | None:
    """The first admin's account; returns the fields when submitted."""
    with st.form("mulai_form"):
        values = {"username": st.text_input(tr("field.username"), key="mulai_username"),
                  "full_name": st.text_input(tr("field.full_name"), key="mulai_full_name"),
                  "password": st.text_input(tr("field.password"), type="password", key="mulai_password",
                                            help=tr("mulai.password_help")),
                  "confirm": st.text_input(tr("field.password_confirm"), type="password", key="mulai_confirm"),
                  "with_demo": st.checkbox(tr("mulai.with_demo"), key="mulai_demo", help=tr("mulai.with_demo_help"))}
        submitted = st.form_submit_button(tr("mulai.submit"), type="primary")
    return values if submitted else None


def create(values: dict) -> bool:
    """Create the admin (and the demo data when asked); the demo passwords are shown only now. True when made."""
    if values["password"] != values["confirm"]:
        st.error(tr("mulai.password_mismatch"))
        return False
    admin = attempt(auth.create_first_admin, db, values["username"], values["full_name"], values["password"])
    if not admin:
        return False
    credentials = {}
    if values["with_demo"]:
        with st.spinner(tr("demo.loading")):
            credentials = attempt(demo.load, db, admin) or {}
    # No rerun: the next run redirects to /masuk.
    st.success(tr("mulai.done"))
    if credentials:
        st.caption(tr("demo.credentials_note"))
        st.dataframe([{tr("field.username"): u, tr("field.password"): p} for u, p in credentials.items()],
                     hide_index=True)
    st.button(tr("login.submit"), type="primary", key="mulai_to_login")  # its rerun redirects to /masuk
    return True


st.title(tr("mulai.title"))
st.write(tr("mulai.intro"))
if not auth.needs_first_admin(db):
    already_done()
    st.stop()
# The form sits in a slot that is emptied once the admin exists: the filled-in fields do not stay on screen.
slot = st.empty()
with slot.container():
    values = first_admin_form()
if values and create(values):
    slot.empty()
