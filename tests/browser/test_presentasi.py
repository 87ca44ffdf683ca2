"""Presentasi in Chromium: the pimpinan sees the three best names of the first position, then only initials."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core import auth, demo, results
from core.i18n import format_number, t
from core.textutil import initials

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"


@pytest.fixture
def demo_app(live_app):
    """The live app with the demo and a known pimpinan password; returns (app, three best of the first position)."""
    database = live_app.database()
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    boss = database.execute("SELECT id FROM users WHERE username = ?", (demo.PIMPINAN[0],)).fetchone()[0]
    auth.reset_password(database, admin, boss, PASSWORD)
    table = results.event_results(database, 1)
    final = table[table["finalized_at"].notna()]
    best, _ = results.top_three(final, int(final.iloc[0]["position_id"]))
    return live_app, best


def test_presentasi_names_then_initials(demo_app, page):
    app, best = demo_app
    page.goto(app.url + "/masuk")
    page.fill("#username", demo.PIMPINAN[0])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name=t("beranda.title"), exact=True)).to_be_visible()

    page.get_by_role("link", name=t("nav.presentasi")).click()
    expect(page.get_by_role("heading", name=t("presentasi.title"), exact=True)).to_be_visible()
    labels = page.locator("[data-testid='stMetricLabel']")
    expect(labels).to_have_text([f"{p['rank']}. {p['name']}" for p in best])
    # The demo seleksi has stages: the large number is the final score that ranks them; one radar each, no JPM bars.
    expect(page.locator("[data-testid='stMetricValue']")).to_have_text([format_number(p["final"], 2) for p in best])
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_have_count(len(best))

    page.locator(".st-key-presentasi_initials").get_by_text(t("presentasi.initials")).click()
    expect(labels).to_have_text([f"{p['rank']}. {initials(p['name'])}" for p in best])
    main = page.locator("[data-testid='stMain']")
    for person in best:
        expect(main).not_to_contain_text(person["name"].split(",")[0])
