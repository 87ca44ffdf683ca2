"""First run: create the first admin account (there is no default password) and maybe the demo data."""

import streamlit as st

from core import auth
from pages.common import attempt, database, redirect, tr

st.title(tr("mulai.title"))
st.write(tr("mulai.intro"))
db = database()

if not auth.needs_first_admin(db):
    st.success(tr("mulai.done"))
    if st.button(tr("login.submit"), type="primary", key="mulai_done_login"):
        redirect("/masuk?info=admin")
    st.stop()

with st.form("mulai_form"):
    username = st.text_input(tr("field.username"), key="mulai_username")
    full_name = st.text_input(tr("field.full_name"), key="mulai_full_name")
    password = st.text_input(tr("field.password"), type="password", key="mulai_password",
                             help=tr("mulai.password_help"))
    confirm = st.text_input(tr("field.password_confirm"), type="password", key="mulai_confirm")
    with_demo = st.checkbox(tr("mulai.with_demo"), key="mulai_demo", help=tr("mulai.with_demo_help"))
    submitted = st.form_submit_button(tr("mulai.submit"), type="primary")

if submitted:
    if password != confirm:
        st.error(tr("mulai.password_mismatch"))
    else:
        admin = attempt(auth.create_first_admin, db, username, full_name, password)
        if admin:
            credentials = {}
            if with_demo:
                from core import demo

                with st.spinner(tr("demo.loading")):
                    credentials = attempt(demo.load, db, admin) or {}
            # No rerun: the next run redirects to /masuk, and the demo passwords are shown only now.
            st.success(tr("mulai.done"))
            if credentials:
                st.caption(tr("demo.credentials_note"))
                st.dataframe([{tr("field.username"): u, tr("field.password"): p} for u, p in credentials.items()],
                             hide_index=True)
            st.button(tr("login.submit"), type="primary", key="mulai_to_login")  # its rerun redirects to /masuk
