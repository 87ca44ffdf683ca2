"""Issue 14 in Chromium at 1366×768 (and a 768×1024 tablet): what an assessor, a Ketua Tim, the admin and the
Wali Kota see on the assessment day, read from the screen. One server on a copy of the demo for the module."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import ARTIFACTS, LiveApp
from playwright.sync_api import expect

import app
from core import auth, demo, integration, registry, results, setup
from core.i18n import format_number, t

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"
LAPTOP = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
LEAD, ASESOR = "asesor.rini", "asesor.lia"


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """A live server on the demo data, every demo account with a known password."""
    directory = tmp_path_factory.mktemp("day")
    database = setup.open_database(directory / "dasbor.db")
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    for (user_id,) in database.execute("SELECT id FROM users WHERE username != 'admin'").fetchall():
        auth.reset_password(database, admin, user_id, PASSWORD)
    database.close()
    app = LiveApp(directory / "dasbor.db", directory / "server.log")
    yield app
    app.stop()
    shutil.copy(directory / "server.log", ARTIFACTS / "test_day_server.log") if ARTIFACTS.exists() else None


@pytest.fixture
def screen(browser, request):
    """A signed-out browser page factory at a given size; a screenshot of each is kept."""
    contexts = []

    def open_as(app: LiveApp, username: str, viewport: dict = LAPTOP):
        context = browser.new_context(viewport=viewport, locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(app.url + "/masuk")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name=t("beranda.title"), exact=True)).to_be_visible()
        return page

    yield open_as
    ARTIFACTS.mkdir(exist_ok=True)
    for number, context in enumerate(contexts):
        for page in context.pages:
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"))
        context.close()


def open_page(page, app: LiveApp, key: str, title_key: str) -> None:
    page.goto(f"{app.url}/{key}")
    expect(page.get_by_role("heading", name=t(title_key), exact=True)).to_be_visible()


def settled(page) -> None:
    """The rerun has finished: no element of the previous run is still on screen."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")


def headers(page, which: int = 0) -> list[str]:
    """The column headers of a table as drawn (once the table has drawn them)."""
    cells = page.locator("[data-testid='stDataFrame']").nth(which).locator("[role='columnheader']")
    expect(cells.first).not_to_have_text("")
    return cells.all_inner_texts()


def test_assessor_starts_on_open_work_and_sees_the_save_where_she_pressed(demo_app, screen):
    """Items 1 and 3: open work first; after "Simpan draf" the feedback and the way on are in view."""
    page = screen(demo_app, ASESOR)
    open_page(page, demo_app, "penilaian", "penilaian.title")
    expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
    status = page.locator("[data-testid='stDataFrame'] [role='gridcell']").first
    expect(status).not_to_have_text(t("penilaian.status_submitted"))  # the first row is open work
    assert headers(page)[0] == t("field.status")
    expect(page.get_by_text(t("penilaian.read_only"))).to_have_count(0)
    first = page.locator(".st-key-penilaian_pick input").input_value()

    save = page.get_by_role("button", name=t("penilaian.save_draft"))
    save.scroll_into_view_if_needed()
    save.click()
    saved = page.get_by_text(t("penilaian.saved"), exact=True)
    expect(saved).to_be_in_viewport()
    onward = page.locator(".st-key-penilaian_next button")
    expect(onward).to_be_in_viewport()
    onward.click()
    expect(page.locator(".st-key-penilaian_pick input")).not_to_have_value(first)


def easiest_open_candidate(app: LiveApp) -> tuple[dict, int]:
    """The open, unfinalised candidate with the fewest cells to discuss, and that number."""
    database = app.database()
    lead = auth.get_user(database, database.execute("SELECT id FROM users WHERE username = ?", (LEAD,)).fetchone()[0])
    candidates = [p for p in integration.progress(database, 1)
                  if p["assigned"] and p["assigned"] == p["submitted"] and not p["finalized_at"]]
    to_discuss = {p["registration_id"]: sum(c["must_discuss"] for c in integration.meeting(
        database, lead, p["registration_id"])["competencies"]) for p in candidates}
    best = min(candidates, key=lambda p: to_discuss[p["registration_id"]])
    return best, to_discuss[best["registration_id"]]


def test_ketua_tim_finalises_a_mostly_agreeing_candidate_in_a_few_presses(demo_app, screen):
    """Item 5: the undisputed cells in one action, disputed first and open, the rest closed; presses counted."""
    person, discuss = easiest_open_candidate(demo_app)
    page = screen(demo_app, LEAD)
    open_page(page, demo_app, "integrasi", "integrasi.title")
    presses = 0

    def press(locator) -> None:
        nonlocal presses
        presses += 1
        locator.click()

    press(page.locator(".st-key-integrasi_view").get_by_text(t("integrasi.tab_meeting")))
    press(page.locator(".st-key-integrasi_pick input"))
    page.keyboard.type(person["participant_no"] + " · ")
    page.keyboard.press("Enter")
    expect(page.locator(".st-key-integrasi_pick input")).to_have_value(re.compile(person["participant_no"]))
    settled(page)
    expect(page.get_by_text(t("integrasi.to_decide", discuss=discuss, easy=9 - discuss))).to_be_visible()
    panels = page.locator("[data-testid='stExpander'] details:has(summary:has-text('—'))")
    expect(panels).to_have_count(9)
    opened = [panels.nth(i).locator("table").first.is_visible() for i in range(9)]
    assert opened == [True] * discuss + [False] * (9 - discuss)  # disputed cells first and open

    press(page.get_by_role("button", name=re.compile(re.escape(t("integrasi.accept_all", n=9 - discuss)))))
    expect(page.get_by_text(t("integrasi.accepted", n=9 - discuss)).first).to_be_visible()
    for _ in range(discuss):  # each disputed cell: the meeting keeps the suggestion here (its own press)
        press(page.get_by_role("button", name=t("integrasi.save_consensus")).first)
        expect(page.get_by_text(t("common.saved")).first).to_be_visible()
    press(page.get_by_text(t("integrasi.confirm_final")))
    press(page.get_by_role("button", name=t("integrasi.finalise"), exact=True))
    expect(page.get_by_text(t("integrasi.finalised")).first).to_be_visible()
    assert presses == 5 + discuss  # was 9 "Simpan konsensus" + 2 to finalise
    database = demo_app.database()
    final = database.execute("SELECT finalized_at FROM results WHERE registration_id = ?",
                             (person["registration_id"],)).fetchone()
    assert final and final[0]


def test_hasil_puts_the_deciding_score_and_the_star_first(demo_app, screen):
    """Item 11: at 1366 px the columns that decide the order are the first ones, inside the screen."""
    page = screen(demo_app, demo.PIMPINAN[0])
    open_page(page, demo_app, "hasil", "hasil.title")
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    assert headers(page)[:4] == [t("hasil.rank"), t("hasil.top3"), t("hasil.final_score"), "JPM"]
    box = page.locator("[data-testid='stDataFrame']").first.bounding_box()  # the first columns start at its left
    assert box and 0 <= box["x"] < LAPTOP["width"] / 2


def test_presentasi_shows_whole_names_and_the_deciding_score_largest(demo_app, screen):
    """Item 12: whole names, the final score (it ranks them) larger than the name; whole event names in the sidebar."""
    database = demo_app.database()
    table = results.event_results(database, 1)
    final = table[table["finalized_at"].notna()]
    best, _ = results.top_three(final, int(final.iloc[0]["position_id"]))
    page = screen(demo_app, demo.PIMPINAN[0])
    open_page(page, demo_app, "presentasi", "presentasi.title")
    labels = page.locator("[data-testid='stMetricLabel']")
    expect(labels).to_have_text([f"{p['rank']}. {p['name']}" for p in best])
    values = page.locator("[data-testid='stMetricValue']")
    expect(values).to_have_text([format_number(p["final"], 2) for p in best])
    for i in range(len(best)):
        label = labels.nth(i).locator("p").first
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth"), "the name is cut"
        size = {k: float(v.rstrip("px")) for k, v in (
            ("label", label.evaluate("e => getComputedStyle(e).fontSize")),
            ("value", values.nth(i).locator("div").first.evaluate("e => getComputedStyle(e).fontSize")))}
        assert size["value"] > 1.5 * size["label"]
    event_name = page.locator(".st-key-sidebar_event").get_by_text(demo.EVENT_NAME, exact=True)
    expect(event_name).to_be_visible()
    assert event_name.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_everything_a_user_reads_is_indonesian(demo_app, screen):
    """Item 13: no "Press Ctrl+Enter", no English "Page not found", no English table toolbar."""
    page = screen(demo_app, ASESOR)
    open_page(page, demo_app, "penilaian", "penilaian.title")
    area = page.locator("[data-testid='stTextArea'] textarea").first
    area.click()
    area.press("End")
    page.keyboard.type(" ")
    expect(page.get_by_text(re.compile("Press|Ctrl\\+Enter|⌘")).filter(visible=True)).to_have_count(0)
    table = page.locator("[data-testid='stDataFrame']").first
    table.hover()
    expect(page.locator("[data-testid='stElementToolbar']").first).to_be_hidden()

    # The keyboard's first Tab shows Streamlit's "Skip to main content" link: it reads in Indonesian.
    page.goto(f"{demo_app.url}/verifikasi")
    expect(page.get_by_role("heading", name=t("verifikasi.title"))).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.locator(app.SKIP_LINK)
    expect(skip).to_be_focused()
    assert skip.evaluate("e => getComputedStyle(e).fontSize") == "0px"
    assert skip.evaluate("e => getComputedStyle(e, '::after').content") == f'"{t("app.skip_to_content")}"'
    page.screenshot(path=str(ARTIFACTS / "skip-link.png"))

    page.goto(f"{demo_app.url}/beranda")  # the home page's own address (a bookmark) leads home
    expect(page.get_by_role("heading", name=t("beranda.title"), exact=True)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)

    for address in ("pengaturan", "kegiatan", "tidak-ada-halaman-ini"):
        page.goto(f"{demo_app.url}/{address}")
        expect(page.get_by_role("heading", name=t("nav.not_available"), exact=True)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_text(re.compile("Running the app"))).to_have_count(0)


def test_tablet_sidebar_is_closed_and_the_status_column_shows(demo_app, screen):
    """Item 4 at 768×1024: the sidebar starts closed; the worklist's Status column is on screen."""
    page = screen(demo_app, ASESOR, TABLET)
    open_page(page, demo_app, "penilaian", "penilaian.title")
    expect(page.locator("[data-testid='stSidebar']")).to_have_attribute("data-collapsed", "true")
    assert headers(page)[0] == t("field.status")
    box = page.locator("[data-testid='stDataFrame']").first.bounding_box()  # the first column starts at its left
    assert box and 0 <= box["x"] < 100


def test_admin_refused_candidate_keeps_the_form_and_the_added_one_is_offered_registration(demo_app, screen):
    """Item 7 (last in the module: it adds an event in setup, where registering is allowed)."""
    database = demo_app.database()
    admin = auth.get_user(database, 1)
    event_id = registry.create_event(database, admin, "Seleksi Uji Pendaftaran", "pengisian", "2027-01-11",
                                     "2027-01-12")
    registry.create_position(database, admin, event_id, "Kepala Dinas Uji", "Dinas Uji", "jpt_pratama")
    page = screen(demo_app, "admin")
    page.locator(".st-key-sidebar_event").get_by_text("Seleksi Uji Pendaftaran").click()
    open_page(page, demo_app, "kandidat", "kandidat.title")
    page.get_by_role("tab", name=t("kandidat.tab_new")).click()
    form = page.get_by_role("tabpanel", name=t("kandidat.tab_new"))
    name = "Drs. Contoh Pendaftar Baru, M.Si."
    form.get_by_role("textbox", name=t("field.nip"), exact=True).fill("12345")
    form.get_by_role("textbox", name=t("field.full_name_titles"), exact=True).fill(name)
    form.get_by_role("textbox", name=t("field.unit"), exact=True).fill("Dinas Contoh")
    form.get_by_role("button", name=t("common.save")).click()
    expect(page.locator("[data-testid='stAlertContentError']").first).to_be_visible()
    # Nothing to retype:
    expect(form.get_by_role("textbox", name=t("field.full_name_titles"), exact=True)).to_have_value(name)
    expect(form.get_by_role("textbox", name=t("field.unit"), exact=True)).to_have_value("Dinas Contoh")

    form.get_by_role("textbox", name=t("field.nip"), exact=True).fill("198001312005011999")
    form.get_by_role("button", name=t("common.save")).click()
    expect(page.get_by_text(t("kandidat.created_named", name=name))).to_be_visible()
    register = form.get_by_role("button", name=re.compile(re.escape(t("kandidat.register", event=""))))
    expect(register).to_be_visible()
    register.click()
    expect(form.get_by_text(re.compile(re.escape(t("kandidat.registered_as", no="001", position="")[:20]))))\
        .to_be_visible()
    [(position,)] = database.execute("SELECT p.name FROM registrations r JOIN positions p ON p.id = r.position_id"
                                     " JOIN candidates c ON c.id = r.candidate_id WHERE c.name = ?", (name,)).fetchall()
    assert position == "Kepala Dinas Uji"
