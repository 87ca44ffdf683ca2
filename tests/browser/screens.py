"""Screenshots of every page for each role at 1366×768 (laptop) and 768×1024 (tablet), to look at.

    python3 tests/browser/screens.py [role ...]

Writes ``test-artifacts/screens/<size>/<role>-<page>.png`` (git-ignored): the first screen a user sees, and a
``-full`` image of the whole page. The demo data set, with known passwords; a server on 127.0.0.1 only.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, LiveApp  # noqa: E402

PASSWORD = "rahasia123"
SIZES = {"laptop": (1366, 768), "tablet": (768, 1024)}
ROLES = {"admin": ("admin", ["beranda", "kegiatan", "jabatan", "kandidat", "alat_ukur", "integrasi", "hasil",
                             "talenta", "kualitas", "presentasi", "laporan", "verifikasi", "pengaturan", "akun",
                             "penilaian"]),
         "ketua": ("asesor.rini", ["beranda", "penilaian", "integrasi", "hasil", "kualitas", "laporan",
                                   "verifikasi", "akun", "kegiatan"]),
         "pimpinan": ("pimpinan.sekda", ["beranda", "hasil", "talenta", "presentasi", "laporan", "verifikasi",
                                         "akun", "penilaian"])}


def demo_app(directory: Path) -> LiveApp:
    """The live app on the demo data, every demo account with the known password."""
    from core import auth, demo, setup

    path = directory / "dasbor.db"
    database = setup.open_database(path)
    admin = auth.create_first_admin(database, "admin", "Admin BKPSDM", PASSWORD)
    demo.load(database, admin)
    for (user_id,) in database.execute("SELECT id FROM users WHERE username != 'admin'").fetchall():
        auth.reset_password(database, admin, user_id, PASSWORD)
    database.close()
    return LiveApp(path, directory / "server.log")


def settle(page) -> None:
    """Wait until Streamlit has finished running the page and drawn every element (no skeletons left)."""
    page.wait_for_timeout(800)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"], .stSkeleton')",
                           timeout=60_000)
    page.wait_for_timeout(800)


def full_page(page, path: Path, width: int, height: int) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as the page."""
    tall = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(max(tall, height), 12_000)})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


def shoot(browser, app: LiveApp, role: str, size: str) -> None:
    username, pages = ROLES[role]
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    page.goto(app.url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(app.url + "/")
    out = ARTIFACTS / "screens" / size
    out.mkdir(parents=True, exist_ok=True)
    for key in pages:
        page.goto(f"{app.url}/{key}")
        settle(page)
        page.screenshot(path=str(out / f"{role}-{key}.png"))
        full_page(page, out / f"{role}-{key}-full.png", width, height)
    context.close()


def main(roles: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory:
        app = demo_app(Path(directory))
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for role in roles:
                    for size in SIZES:
                        shoot(browser, app, role, size)
                browser.close()
        finally:
            app.stop()


if __name__ == "__main__":
    main(sys.argv[1:] or list(ROLES))
