"""Pages of issue 13: Laporan shows the ZIP's progress (item 10); Pengaturan sets the office's zone (item 6)."""

import re

from apptest_helpers import open_page

from core import db, reports, settings
from core.i18n import t

PEMETAAN = 2


def test_laporan_zip_counts_the_reports_and_offers_the_zip(demo_db, monkeypatch):
    final = db.one(demo_db, """SELECT count(*) AS n FROM results res JOIN registrations r ON r.id = res.registration_id
                               WHERE r.event_id = ? AND res.finalized_at IS NOT NULL""", (PEMETAAN,))["n"]
    seen, build = [], reports.zip_individual

    def watched(*args, progress=None, **kwargs):
        def counted(done: int, total: int) -> None:
            seen.append((done, total))
            progress(done, total)  # the page's bar, with the catalog's words

        return build(*args, progress=counted, **kwargs)

    monkeypatch.setattr(reports, "zip_individual", watched)
    admin = db.one(demo_db, "SELECT * FROM users WHERE username = 'admin'")
    at = open_page(demo_db, admin, "pages/laporan.py")
    at = at.radio(key="sidebar_event").set_value(PEMETAAN).run()
    at = at.button(key=f"make_zip_{PEMETAAN}").click().run(timeout=240)
    assert not at.exception and not at.error
    assert seen == [(i, final) for i in range(1, final + 1)] and final > 0
    assert not at.get("progress")  # the bar is gone once the ZIP is ready
    offered = [b for b in at.get("download_button") if "laporan_individu_" in str(b.proto.label)]
    assert len(offered) == 1
    assert t("report.zip_progress", done=1, total=final).startswith("1 dari")


def test_pengaturan_sets_the_zone_and_the_audit_log_reads_it(fresh_db, admin):
    at = open_page(fresh_db, admin, "pages/pengaturan.py")
    form = at.form(key="pengaturan_time_zone")
    zone = next(w for w in form.selectbox if w.label == t("pengaturan.time_zone"))
    assert zone.value == "WIB"
    zone.set_value("WITA")
    at = form.form_submit_button[0].click().run()
    assert not at.exception and settings.time_zone(fresh_db) == "WITA"
    logged = [str(v) for v in at.dataframe[-1].value.iloc[:, 0]]  # the audit log, its time column
    assert logged and all(re.fullmatch(r"\d{1,2} \w+ \d{4} \d{2}\.\d{2} WITA", v) for v in logged), logged[:3]
