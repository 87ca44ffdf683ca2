"""Verifikasi: anyone on the LAN checks a printed report's code — the verdict, the name, the date; nothing else."""

import streamlit as st

from core import reports
from core.i18n import format_date
from core.textutil import escape_markdown
from pages.common import database, lang, petunjuk, tr


def verdict(code: str) -> None:
    """Valid, superseded or unknown; for a known code the name and the date of issue."""
    found = reports.verify(database(), code)
    if found is None:
        st.error(tr("verifikasi.unknown"), icon=":material/gpp_bad:")
        return
    if found["status"] == "valid":
        st.success(tr("verifikasi.valid"), icon=":material/verified:")
    else:
        st.warning(tr("verifikasi.superseded"), icon=":material/history:")
    st.markdown(f"**{escape_markdown(found['name'])}** · {format_date(found['issued_on'], lang())}")


st.title(tr("verifikasi.title"))
st.write(tr("verifikasi.intro"))
petunjuk("verifikasi.help")
given = st.query_params.get("kode", "")
with st.form("verifikasi_form"):
    code = st.text_input(tr("verifikasi.code"), value=given, max_chars=40, placeholder="ABCD-EFGH-JKMN")
    checked = st.form_submit_button(tr("verifikasi.check"), type="primary")
if (checked or given) and code.strip():
    verdict(code)
