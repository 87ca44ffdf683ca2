"""Pengaturan: user accounts and roles; category thresholds; talent schemes; letterhead; backups; the audit log."""

import base64

import streamlit as st

from core import audit, auth, backup, letterhead, refdata, settings, setup, talent, talent_store, talent_views
from core.i18n import TIME_ZONES, format_datetime
from pages.common import attempt, guard, lang, petunjuk, rerun, tr

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
    """The JPM thresholds of the categories per purpose (the potential bands live in the talent schemes)."""
    st.caption(tr("pengaturan.rules_note"))
    for purpose in ("pengisian", "pemetaan"):
        thresholds_form(purpose)
    time_zone_form()


def time_zone_form() -> None:
    """The office's zone (WIB/WITA/WIT) for every date and time a person reads."""
    zones = list(TIME_ZONES)
    with st.form("pengaturan_time_zone"):
        zone = st.selectbox(tr("pengaturan.time_zone"), zones, index=zones.index(settings.time_zone(db)),
                            format_func=lambda z: tr("zone." + z), help=tr("pengaturan.time_zone_help"))
        if st.form_submit_button(tr("common.save")):
            if attempt(settings.set_time_zone, db, user, zone):
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


def schemes_tab() -> None:
    """Talent schemes (SPEC §4.6): weights summing to 100, bands, SKP years, box numbers; every change audited."""
    st.caption(tr("pengaturan.scheme_note"))
    schemes = {s["id"]: s for s in talent_store.list_schemes(db)}
    chosen = schemes[st.selectbox(tr("pengaturan.scheme_pick"), list(schemes), key="pengaturan_scheme",
                                  format_func=lambda i: schemes[i]["name"])]
    with st.form(f"pengaturan_scheme_{chosen['id']}_{chosen['version']}"):
        definition = scheme_fields(chosen["definition"])
        c1, c2 = st.columns(2)
        save = c1.form_submit_button(tr("common.save"), type="primary")
        copy = c2.form_submit_button(tr("pengaturan.scheme_copy"))
    if save and attempt(talent_store.save_scheme, db, user, chosen["id"], definition, chosen["version"]):
        rerun(tr("common.saved"))
    if copy and attempt(talent_store.save_scheme, db, user, None, definition):
        rerun(tr("pengaturan.scheme_copied", name=definition["name"]))


def scheme_fields(old: dict) -> dict:
    """The editable parts of a scheme; the points tables are kept as they are."""
    name = st.text_input(tr("pengaturan.scheme_name"), value=old["name"], max_chars=120)
    st.markdown(f"**{tr('pengaturan.scheme_weights')}**")
    columns = st.columns(4)
    weights = {c: columns[i % 4].number_input(talent_views.component_name(c, lang()), 0.0, 100.0,
                                              float(old["weights"].get(c, 0)), 5.0)
               for i, c in enumerate(talent.COMPONENTS)}
    c1, c2, c3 = st.columns(3)
    bands = {"tinggi": c1.number_input(tr("pengaturan.band_high"), 0.0, 100.0, float(old["bands"]["tinggi"]), 0.5),
             "menengah": c2.number_input(tr("pengaturan.band_mid"), 0.0, 100.0, float(old["bands"]["menengah"]), 0.5)}
    years = c3.radio(tr("pengaturan.scheme_years"), [1, 2], index=old.get("performance_years", 1) - 1,
                     format_func=lambda n: tr(f"pengaturan.scheme_years_{n}"), horizontal=True)
    return old | {"name": name, "weights": weights, "bands": bands, "performance_years": years,
                  "boxes": box_numbers(old["boxes"])}


def box_numbers(old: dict) -> dict:
    """The box number of each cell (potential × performance), as a 3 × 3 grid of inputs."""
    with st.expander(tr("pengaturan.scheme_boxes")):
        out = {}
        for potential in talent.POTENTIALS[::-1]:
            cells = st.columns(3)
            out[potential] = {q: int(cells[i].number_input(
                f"{tr(f'talenta.potential.{potential}')} × {tr(f'talenta.performance.{q}')}", 1, 9,
                int(old[potential][q]), 1)) for i, q in enumerate(talent.PERFORMANCES)}
        return out


def letterhead_tab() -> None:
    """The kop surat of every report: texts, the signing official, the logo."""
    head = letterhead.current(db)
    with st.form("pengaturan_letterhead"):
        values = {key: st.text_input(tr("letterhead." + key), value=head.get(key, ""), max_chars=300)
                  for key in letterhead.TEXT_FIELDS}
        st.caption(tr("pengaturan.number_help"))
        values["pimpinan"] = signing_official(head.get("pimpinan", {}))
        # No type list: Streamlit would refuse other files in English; clean_logo refuses them in Indonesian.
        logo = st.file_uploader(tr("pengaturan.logo", kb=letterhead.MAX_LOGO_BYTES // 1024))
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
    path = setup.default_path()
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
    zone = settings.time_zone(db)
    st.dataframe([{tr("pengaturan.backup_file"): b["name"], tr("pengaturan.backup_size"):
                   f"{b['size'] / 1024 / 1024:.1f} MB",
                   tr("pengaturan.backup_time"): format_datetime(b["modified"], zone, lang())}
                  for b in existing], hide_index=True, width="stretch", height=220)
    chosen = st.selectbox(tr("pengaturan.backup_pick"), [b["name"] for b in existing], key="pengaturan_backup_pick")
    # Read only when clicked: a backup can be large, and this page must stay quick.
    st.download_button(tr("laporan.download", name=chosen), lambda: backup.read_backup(path, chosen), chosen,
                       "application/octet-stream", key="pengaturan_backup_dl")


def restore_form(path) -> None:
    with st.form("pengaturan_restore"):
        upload = st.file_uploader(tr("pengaturan.restore_file"))  # the restore checks the file itself
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
    zone = settings.time_zone(db)
    st.dataframe([{tr("audit.at"): format_datetime(e["at"], zone, lang()), tr("audit.who"): e["username"],
                   tr("audit.action"): e["action"],
                   tr("audit.entity"): f"{e['entity']} {e['entity_id']}", tr("audit.old"): e["old_value"],
                   tr("audit.new"): e["new_value"], tr("audit.reason"): e["reason"]}
                  for e in audit.entries(db)], hide_index=True, width="stretch")


TABS = {"pengaturan.tab_users": users_tab, "pengaturan.tab_rules": rules_tab,
        "pengaturan.tab_schemes": schemes_tab, "pengaturan.tab_letterhead": letterhead_tab,
        "pengaturan.tab_backup": backup_tab, "pengaturan.tab_audit": audit_tab}
for tab, draw in zip(st.tabs([tr(k) for k in TABS], key="pengaturan_tabs"), TABS.values(), strict=True):
    with tab:
        draw()
