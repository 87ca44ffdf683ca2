"""Akun saya: language and own password."""

import streamlit as st

from core import auth
from core.textutil import escape_markdown
from pages.common import attempt, guard, petunjuk, tr

db, user = guard("admin", "asesor", "pimpinan")
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


def language_choice() -> None:
    choice = st.radio(tr("akun.language"), list(LANGUAGES), format_func=LANGUAGES.get,
                      index=list(LANGUAGES).index(user["language"]), horizontal=True, key="akun_lang")
    if choice != user["language"] and attempt(auth.set_language, db, user, choice):
        st.rerun()


def password_form() -> None:
    with st.form("akun_password", clear_on_submit=True):
        st.markdown(f"**{tr('akun.change_password')}**")
        current = st.text_input(tr("akun.current_password"), type="password")
        new = st.text_input(tr("pengaturan.new_password"), type="password", help=tr("mulai.password_help"))
        confirm = st.text_input(tr("field.password_confirm"), type="password")
        if not st.form_submit_button(tr("common.save"), type="primary"):
            return
        if new != confirm:
            st.error(tr("mulai.password_mismatch"))
        elif attempt(auth.change_own_password, db, user, current, new):
            st.success(tr("akun.password_changed"))
            st.button(tr("login.submit"), key="akun_relogin")  # its rerun finds no session and redirects


st.title(tr("akun.title"))
petunjuk("akun.help")
st.write(escape_markdown(f"{user['full_name']} · {user['username']}") + f" · {tr('role.' + user['role'])}")
language_choice()
password_form()
