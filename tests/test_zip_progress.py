"""Laporan: the ZIP of every final report shows its progress while it is built (issue 13 item 10)."""

from apptest_helpers import open_page

from core import db, reports
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
    at = at.selectbox(key="sidebar_event").set_value(PEMETAAN).run()
    at = at.button(key=f"make_zip_{PEMETAAN}").click().run(timeout=240)
    assert not at.exception and not at.error
    assert seen == [(i, final) for i in range(1, final + 1)] and final > 0
    assert not at.get("progress")  # the bar is gone once the ZIP is ready
    offered = [b for b in at.get("download_button") if "laporan_individu_" in str(b.proto.label)]
    assert len(offered) == 1
    assert t("report.zip_progress", done=1, total=final).startswith("1 dari")
