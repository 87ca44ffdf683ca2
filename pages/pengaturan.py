"""Pengaturan: user accounts and roles; category thresholds; letterhead; backups; the audit log."""

import base64

import streamlit as st

from core import audit, auth, backup, letterhead, refdata, settings
from core import db as db_module
from pages.common import attempt, guard, petunjuk, rerun, tr

db, user = guard("admin")
st.title(tr("pengaturan.title"))
petunjuk("pengaturan.help")


def users_tab() -> None:
    """Every account; add one; reset a password or (de)activate the chosen one."""
    users = auth.list_users(db, user)
    st.dataframe([{tr("field.username"): u["username"], tr("field.full_name"): u["full_name"],
                   tr("field.role"): tr("role." + u["role"]),
                   tr("field.status"): tr("common.active") if u["active"] else tr("common.inactive")}
                  for u in users], hide_index=True, width="stretch")
    with st.expander(tr("pengaturan.add_user")):
        new_user_form()
    # Nothing chosen at first, and the signed-in admin last: no "Nonaktifkan akun" beside one's own name.
    names = {u["id"]: f"{u['full_name']} ({u['username']})" for u in sorted(users, key=lambda u: u["id"] == user["id"])}
    target_id = st.selectbox(tr("pengaturan.pick_user"), list(names), format_func=names.get, key="pengaturan_user",
                             index=None, placeholder=tr("pengaturan.pick_user_hint"))
    if target_id is not None:
        account_actions(next(u for u in users if u["id"] == target_id))


def new_user_form() -> None:
    roles = list(auth.ROLES)
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


def account_actions(target: dict) -> None:
    c1, c2 = st.columns(2)
    with c1.form("pengaturan_reset"):
        new_password = st.text_input(tr("pengaturan.new_password"), type="password")
        if st.form_submit_button(tr("pengaturan.reset_password")):
            attempt(auth.reset_password, db, user, target["id"], new_password, success=tr("pengaturan.password_reset"))
    if target["id"] == user["id"]:
        c2.caption(tr("pengaturan.own_account"))
        return
    label = "pengaturan.deactivate" if target["active"] else "pengaturan.activate"
    if c2.button(tr(label), key="pengaturan_toggle"):
        if attempt(auth.set_active, db, user, target["id"], not target["active"]):
            rerun(tr("common.saved"))


def rules_tab() -> None:
    """The JPM thresholds of the categories per purpose, and the bands of the potential axis."""
    st.caption(tr("pengaturan.rules_note"))
    for purpose in ("pengisian", "pemetaan"):
        thresholds_form(purpose)
    bands = settings.get(db, "potential_bands")
    with st.form("pengaturan_bands"):
        st.markdown(f"**{tr('pengaturan.bands')}**")
        high = st.number_input(tr("pengaturan.band_high"), 0.0, 200.0, float(bands["tinggi"]), 0.5)
        mid = st.number_input(tr("pengaturan.band_mid"), 0.0, 200.0, float(bands["menengah"]), 0.5)
        if st.form_submit_button(tr("common.save")):
            if attempt(settings.set_potential_bands, db, user, high, mid):
                rerun(tr("common.saved"))


def thresholds_form(purpose: str) -> None:
    with st.form(f"pengaturan_thresholds_{purpose}"):
        st.markdown(f"**{tr('purpose.' + purpose)}**")
        values = {c["code"]: st.number_input(f"{c['code']} – {c['name']} (JPM ≥)", 0.0, 200.0, float(c["min_jpm"]),
                                             0.5, disabled=c["min_jpm"] == 0, key=f"thr_{purpose}_{c['code']}")
                  for c in refdata.categories(db, purpose)}
        if st.form_submit_button(tr("common.save")):
            if attempt(refdata.set_thresholds, db, user, purpose, values):
                rerun(tr("common.saved"))


def letterhead_tab() -> None:
    """The kop surat of every report: texts, the signing official, the logo."""
    head = letterhead.current(db)
    with st.form("pengaturan_letterhead"):
        values = {key: st.text_input(tr("letterhead." + key), value=head.get(key, ""), max_chars=300)
                  for key in letterhead.TEXT_FIELDS}
        st.caption(tr("pengaturan.number_help"))
        values["pimpinan"] = signing_official(head.get("pimpinan", {}))
        logo = st.file_uploader(tr("pengaturan.logo", kb=letterhead.MAX_LOGO_BYTES // 1024),
                                type=["png", "jpg", "jpeg"])
        remove = st.checkbox(tr("pengaturan.logo_remove"), disabled=not head.get("logo"))
        if st.form_submit_button(tr("common.save"), type="primary"):
            if attempt(letterhead.save, db, user, values, logo.getvalue() if logo else None, remove):
                rerun(tr("common.saved"))
    if head.get("logo"):
        st.image(base64.b64decode(head["logo"]), width=90, caption=tr("pengaturan.logo_now"))


def signing_official(boss: dict) -> dict:
    c1, c2, c3 = st.columns(3)
    return {"title": c1.text_input(tr("letterhead.pimpinan_title"), value=boss.get("title", "")),
            "name": c2.text_input(tr("letterhead.pimpinan_name"), value=boss.get("name", "")),
            "nip": c3.text_input(tr("field.nip_optional"), value=boss.get("nip", ""))}


def backup_tab() -> None:
    """Back up now, download a kept backup, restore one."""
    st.caption(tr("pengaturan.backup_note", days=settings.get(db, "backup_keep_days")))
    path = db_module.default_path()
    if st.button(tr("pengaturan.backup_now"), key="pengaturan_backup_now"):
        made = attempt(backup.backup_to_file, path)
        if made:
            st.success(tr("pengaturan.backup_made", name=made.name))
    existing = backup.list_backups(path)
    if existing:
        kept_backups(path, existing)
    st.markdown(f"**{tr('pengaturan.restore_title')}**")
    st.warning(tr("pengaturan.restore_warning"))
    restore_form(path)


def kept_backups(path, existing: list[dict]) -> None:
    st.dataframe([{tr("pengaturan.backup_file"): b["name"], tr("pengaturan.backup_size"):
                   f"{b['size'] / 1024 / 1024:.1f} MB", tr("pengaturan.backup_time"): b["modified"][:19]}
                  for b in existing], hide_index=True, width="stretch", height=220)
    chosen = st.selectbox(tr("pengaturan.backup_pick"), [b["name"] for b in existing], key="pengaturan_backup_pick")
    # Read only when clicked: a backup can be large, and this page must stay quick.
    st.download_button(tr("laporan.download", name=chosen), lambda: backup.read_backup(path, chosen), chosen,
                       "application/octet-stream", key="pengaturan_backup_dl")


def restore_form(path) -> None:
    with st.form("pengaturan_restore"):
        upload = st.file_uploader(tr("pengaturan.restore_file"), type=["db", "sqlite", "sqlite3"])
        sure = st.checkbox(tr("pengaturan.restore_sure"))
        if not (st.form_submit_button(tr("pengaturan.restore_go")) and upload is not None):
            return
        if not sure:
            st.error(tr("pengaturan.restore_confirm"))
            return
        summary = attempt(backup.restore, path, upload.getvalue(), user)
        if summary:
            # The restored file's audit ids may repeat versions cached before: start every cache afresh.
            st.cache_data.clear()
            st.success(tr("pengaturan.restored", name=summary["previous_name"]))


def audit_tab() -> None:
    st.caption(tr("pengaturan.audit_note"))
    st.dataframe([{tr("audit.at"): e["at"], tr("audit.who"): e["username"], tr("audit.action"): e["action"],
                   tr("audit.entity"): f"{e['entity']} {e['entity_id']}", tr("audit.old"): e["old_value"],
                   tr("audit.new"): e["new_value"], tr("audit.reason"): e["reason"]}
                  for e in audit.entries(db)], hide_index=True, width="stretch")


TABS = {"pengaturan.tab_users": users_tab, "pengaturan.tab_rules": rules_tab,
        "pengaturan.tab_letterhead": letterhead_tab, "pengaturan.tab_backup": backup_tab,
        "pengaturan.tab_audit": audit_tab}
for tab, draw in zip(st.tabs([tr(k) for k in TABS], key="pengaturan_tabs"), TABS.values(), strict=True):
    with tab:
        draw()
