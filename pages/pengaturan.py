"""Pengaturan: user accounts and roles; the audit log."""

import base64

import streamlit as st

from core import audit, auth, backup, letterhead, refdata, settings, setup
from pages.common import attempt, guard, petunjuk, rerun, tr

db, user = guard("admin")
st.title(tr("pengaturan.title"))
petunjuk("pengaturan.help")
roles = list(auth.ROLES)
tab_users, tab_rules, tab_letterhead, tab_backup, tab_audit = st.tabs(
    [tr("pengaturan.tab_users"), tr("pengaturan.tab_rules"), tr("pengaturan.tab_letterhead"),
     tr("pengaturan.tab_backup"), tr("pengaturan.tab_audit")])

with tab_users:
    users = auth.list_users(db, user)
    st.dataframe([{tr("field.username"): u["username"], tr("field.full_name"): u["full_name"],
                   tr("field.role"): tr("role." + u["role"]),
                   tr("field.status"): tr("common.active") if u["active"] else tr("common.inactive")}
                  for u in users], hide_index=True, width="stretch")
    with st.expander(tr("pengaturan.add_user")):
        with st.form("pengaturan_new_user", clear_on_submit=True):
            c1, c2 = st.columns(2)
            username = c1.text_input(tr("field.username"), max_chars=32)
            full_name = c2.text_input(tr("field.full_name"), max_chars=300)
            role = c1.selectbox(tr("field.role"), roles, format_func=lambda r: tr("role." + r))
            nip = c2.text_input(tr("field.nip_optional"), max_chars=30)
            password = c1.text_input(tr("field.password"), type="password", help=tr("mulai.password_help"))
            if st.form_submit_button(tr("common.add"), type="primary"):
                if attempt(auth.create_user, db, user, username, full_name, role, password, nip):
                    rerun(tr("pengaturan.user_added"))
    names = {u["id"]: f"{u['full_name']} ({u['username']})" for u in users}
    target_id = st.selectbox(tr("pengaturan.pick_user"), list(names), format_func=names.get, key="pengaturan_user")
    target = next(u for u in users if u["id"] == target_id)
    c1, c2 = st.columns(2)
    with c1.form("pengaturan_reset"):
        new_password = st.text_input(tr("pengaturan.new_password"), type="password")
        if st.form_submit_button(tr("pengaturan.reset_password")):
            attempt(auth.reset_password, db, user, target_id, new_password, success=tr("pengaturan.password_reset"))
    with c2:
        label = "pengaturan.deactivate" if target["active"] else "pengaturan.activate"
        if st.button(tr(label), key="pengaturan_toggle"):
            if attempt(auth.set_active, db, user, target_id, not target["active"]):
                rerun(tr("common.saved"))

with tab_rules:
    st.caption(tr("pengaturan.rules_note"))
    for purpose in ("pengisian", "pemetaan"):
        with st.form(f"pengaturan_thresholds_{purpose}"):
            st.markdown(f"**{tr('purpose.' + purpose)}**")
            cats = refdata.categories(db, purpose)
            values = {c["code"]: st.number_input(f"{c['code']} – {c['name']} (JPM ≥)", 0.0, 200.0, float(c["min_jpm"]),
                                                 0.5, disabled=c["min_jpm"] == 0, key=f"thr_{purpose}_{c['code']}")
                      for c in cats}
            if st.form_submit_button(tr("common.save")):
                if attempt(refdata.set_thresholds, db, user, purpose, values):
                    rerun(tr("common.saved"))
    bands = settings.get(db, "potential_bands")
    with st.form("pengaturan_bands"):
        st.markdown(f"**{tr('pengaturan.bands')}**")
        high = st.number_input(tr("pengaturan.band_high"), 0.0, 200.0, float(bands["tinggi"]), 0.5)
        mid = st.number_input(tr("pengaturan.band_mid"), 0.0, 200.0, float(bands["menengah"]), 0.5)
        if st.form_submit_button(tr("common.save")):
            if attempt(refdata.set_potential_bands, db, user, high, mid):
                rerun(tr("common.saved"))

with tab_letterhead:
    head = letterhead.current(db)
    with st.form("pengaturan_letterhead"):
        values = {key: st.text_input(tr("letterhead." + key), value=head.get(key, ""), max_chars=300)
                  for key in letterhead.TEXT_FIELDS}
        st.caption(tr("pengaturan.number_help"))
        boss = head.get("pimpinan", {})
        c1, c2, c3 = st.columns(3)
        values["pimpinan"] = {"title": c1.text_input(tr("letterhead.pimpinan_title"), value=boss.get("title", "")),
                              "name": c2.text_input(tr("letterhead.pimpinan_name"), value=boss.get("name", "")),
                              "nip": c3.text_input(tr("field.nip_optional"), value=boss.get("nip", ""))}
        logo = st.file_uploader(tr("pengaturan.logo", kb=letterhead.MAX_LOGO_BYTES // 1024),
                                type=["png", "jpg", "jpeg"])
        remove = st.checkbox(tr("pengaturan.logo_remove"), disabled=not head.get("logo"))
        if st.form_submit_button(tr("common.save"), type="primary"):
            if attempt(letterhead.save, db, user, values, logo.getvalue() if logo else None, remove):
                rerun(tr("common.saved"))
    if head.get("logo"):
        st.image(base64.b64decode(head["logo"]), width=90, caption=tr("pengaturan.logo_now"))

with tab_backup:
    st.caption(tr("pengaturan.backup_note", days=settings.get(db, "backup_keep_days")))
    path = setup.default_path()
    if st.button(tr("pengaturan.backup_now"), key="pengaturan_backup_now"):
        made = attempt(backup.backup_to_file, path)
        if made:
            st.success(tr("pengaturan.backup_made", name=made.name))
    existing = backup.list_backups(path)
    if existing:
        names = [b["name"] for b in existing]
        st.dataframe([{tr("pengaturan.backup_file"): b["name"], tr("pengaturan.backup_size"):
                       f"{b['size'] / 1024 / 1024:.1f} MB", tr("pengaturan.backup_time"): b["modified"][:19]}
                      for b in existing], hide_index=True, width="stretch", height=220)
        chosen = st.selectbox(tr("pengaturan.backup_pick"), names, key="pengaturan_backup_pick")
        # Read only when clicked: a backup can be large, and this page must stay quick.
        st.download_button(tr("laporan.download", name=chosen), lambda: backup.read_backup(path, chosen), chosen,
                           "application/octet-stream", key="pengaturan_backup_dl")
    st.markdown(f"**{tr('pengaturan.restore_title')}**")
    st.warning(tr("pengaturan.restore_warning"))
    with st.form("pengaturan_restore"):
        upload = st.file_uploader(tr("pengaturan.restore_file"), type=["db", "sqlite", "sqlite3"])
        sure = st.checkbox(tr("pengaturan.restore_sure"))
        if st.form_submit_button(tr("pengaturan.restore_go")) and upload is not None:
            if not sure:
                st.error(tr("pengaturan.restore_confirm"))
            else:
                summary = attempt(backup.restore, path, upload.getvalue(), user)
                if summary:
                    st.cache_data.clear()
                    st.success(tr("pengaturan.restored", name=summary["previous_name"]))

with tab_audit:
    st.caption(tr("pengaturan.audit_note"))
    st.dataframe([{tr("audit.at"): e["at"], tr("audit.who"): e["username"], tr("audit.action"): e["action"],
                   tr("audit.entity"): f"{e['entity']} {e['entity_id']}", tr("audit.old"): e["old_value"],
                   tr("audit.new"): e["new_value"], tr("audit.reason"): e["reason"]}
                  for e in audit.entries(db)], hide_index=True, width="stretch")
