"""Attacks from the office LAN against a real server (issue 10 items 1–3, 10, 12; SPEC §8).

Plain HTTP clients, each with its own cookies, like a script an outsider would run; memory is read
from the server process in /proc.
"""

from __future__ import annotations

import html
import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from core import auth
from core.i18n import t

pytestmark = pytest.mark.browser
PASSWORD = "rahasia123"
RSS_BAR_MB = 400


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One visitor: its own cookie jar, no redirects followed, every status returned (not raised)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, method: str, path: str, data: dict | bytes | None = None,
                headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def form_token(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, (status, page[:300])
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def sign_in(self, username: str, password: str) -> tuple[int, str]:
        token = self.form_token("/masuk")
        return self.request("POST", "/masuk", {"csrf": token, "username": username, "password": password})


def text(page: str) -> str:
    return html.unescape(page)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def app_with_admin(live_app):
    auth.create_first_admin(live_app.database(), "admin", "Admin BKPSDM", PASSWORD)
    return live_app


def unknown_sign_in_burst(app, count: int = 40) -> dict:
    """``count`` sign-ins with unknown user names at once; the server's peak RSS and what it answered."""
    clients = [Client(app.url) for _ in range(count)]
    tokens = [c.form_token("/masuk") for c in clients]  # the forms first: the burst is the POSTs alone
    peak, answers, health, done = [rss_mb(app.process.pid)], [], [], threading.Event()
    barrier = threading.Barrier(count)

    def watch():
        while not done.is_set():
            peak.append(rss_mb(app.process.pid))
            time.sleep(0.02)

    def attempt(i):
        barrier.wait()
        answers.append(clients[i].request("POST", "/masuk", {"csrf": tokens[i], "username": f"tamu{i:02d}",
                                                              "password": "coba-coba-123"}))

    def still_serving():
        time.sleep(0.3)  # in the middle of the burst
        start = time.perf_counter()
        health.append((Client(app.url).request("GET", "/_stcore/health")[0], time.perf_counter() - start))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(count)]
    threads += [threading.Thread(target=still_serving)]
    watcher = threading.Thread(target=watch)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    return {"before": peak[0], "peak": max(peak), "answers": answers, "health": health}


def test_40_parallel_unknown_sign_ins_keep_the_server_small_and_serving(app_with_admin):
    burst = unknown_sign_in_burst(app_with_admin)
    assert burst["peak"] <= RSS_BAR_MB, burst["peak"]
    assert len(burst["answers"]) == 40
    allowed = {t("auth.wrong_credentials"), t("auth.busy")} | {
        t(key, minutes=m) for key in ("auth.client_locked",) for m in range(1, 16)}
    for status, page in burst["answers"]:
        assert status in (401, 503)
        [message] = re.findall(r'role="alert">([^<]*)<', page)
        assert html.unescape(message) in allowed
    assert [status for status, _ in burst["health"]] == [200]
    # the per-address limit: no more than 20 failed checks from one address per window, the rest refused
    checked = app_with_admin.database().execute("SELECT count(*) FROM login_attempts").fetchone()[0]
    assert checked <= auth.CLIENT_MAX_FAILURES
    refused = sum(t("auth.client_locked", minutes=15)[:40] in text(page) for _, page in burst["answers"])
    assert refused == 40 - auth.CLIENT_MAX_FAILURES


def test_a_burst_of_wrong_passwords_gets_at_most_five_checks(app_with_admin):
    """30 wrong passwords at once for one account: 5 checked, then the right one is refused while locked."""
    clients = [Client(app_with_admin.url) for _ in range(30)]
    tokens = [c.form_token("/masuk") for c in clients]
    barrier, answers = threading.Barrier(30), []

    def attempt(i):
        barrier.wait()
        answers.append(clients[i].request("POST", "/masuk", {"csrf": tokens[i], "username": "admin",
                                                              "password": f"salah-{i}-sandi"})[0])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database = app_with_admin.database()
    checked = database.execute("SELECT count(*) FROM login_attempts WHERE username = 'admin'").fetchone()[0]
    assert checked == 5 and answers == [401] * 30
    right = Client(app_with_admin.url)
    status, page = right.sign_in("admin", PASSWORD)
    assert status == 401 and t("auth.locked", minutes=15)[:40] in text(page)
    assert right.cookie(auth.COOKIE_NAME) is None
    assert database.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def upload(client: Client) -> tuple[int, str]:
    """A PUT to Streamlit's upload endpoint with a valid XSRF pair, as the page's own script sends it."""
    client.request("GET", "/_stcore/health")  # the frontend asks this first; it sets the XSRF cookie
    xsrf = client.cookie("_streamlit_xsrf")
    assert xsrf, "no XSRF cookie from the health endpoint"
    boundary = "grens"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n")
    body = head.encode() + b"A" * 1024 + f"\r\n--{boundary}--\r\n".encode()
    return client.request("PUT", "/_stcore/upload_file/sesi-palsu/berkas-1", body,
                          {"X-Xsrftoken": xsrf, "Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_a_visitor_without_a_session_cannot_upload(app_with_admin):
    status, body = upload(Client(app_with_admin.url))
    assert (status, body) == (403, t("web.upload_refused"))
    forged = Client(app_with_admin.url)
    forged.jar.set_cookie(http.cookiejar.Cookie(
        0, auth.COOKIE_NAME, "palsu.0000", None, False, "127.0.0.1", False, False, "/", True, False, None, True,
        None, None, {}))
    assert upload(forged)[0] == 403
    signed_in = Client(app_with_admin.url)
    assert signed_in.sign_in("admin", PASSWORD)[0] == 303
    status, body = upload(signed_in)  # past the guard; Streamlit itself refuses the made-up session id
    assert status == 400 and "session_id" in body


def test_the_upload_limit_fits_the_largest_file_the_app_accepts():
    import tomllib

    from core import backup, importer, letterhead

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    largest = max(importer.MAX_BYTES, letterhead.MAX_LOGO_BYTES, backup.MAX_RESTORE_BYTES)
    assert config["server"]["maxUploadSize"] == -(-largest // 2**20)


def test_a_link_cannot_sign_out_but_the_form_can(app_with_admin):
    user = Client(app_with_admin.url)
    assert user.sign_in("admin", PASSWORD)[0] == 303
    database = app_with_admin.database()

    def sessions() -> int:
        return database.execute("SELECT count(*) FROM sessions").fetchone()[0]

    status, page = user.request("GET", "/keluar")  # what a link or <img> on another site does
    assert status == 200 and sessions() == 1
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert user.request("POST", "/keluar", {})[0] == 400 and sessions() == 1
    assert user.request("POST", "/keluar", {"csrf": "geser"})[0] == 400 and sessions() == 1
    assert user.request("POST", "/keluar", {"csrf": token},
                        {"Origin": "http://situs-lain.example"})[0] == 400 and sessions() == 1
    status, page = user.request("GET", "/keluar?t=" + "0" * 32)  # a guessed sign-out token: no self-pressing form
    assert status == 200 and "<script" not in page and sessions() == 1
    token = user.form_token("/keluar")
    status, _ = user.request("POST", "/keluar", {"csrf": token})
    assert status == 303 and sessions() == 0
    assert user.cookie(auth.COOKIE_NAME) is None


def test_the_session_token_makes_the_page_press_its_own_button(app_with_admin):
    user = Client(app_with_admin.url)
    assert user.sign_in("admin", PASSWORD)[0] == 303
    database = app_with_admin.database()
    mine = auth.sign_out_token(database, user.cookie(auth.COOKIE_NAME))
    other = auth.sign_out_token(database, "sesi-orang-lain")
    assert "<script" not in user.request("GET", f"/keluar?t={other}")[1]
    status, page = user.request("GET", f"/keluar?t={mine}")
    assert status == 200 and "document.forms[0].submit()" in page


def test_the_sidebar_button_signs_out_in_one_click(app_with_admin, page):
    from playwright.sync_api import expect

    page.goto(app_with_admin.url + "/masuk")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("button", name=t("sidebar.logout")).click()
    expect(page.get_by_text(t("login.logged_out"))).to_be_visible()  # no second button to press
    assert app_with_admin.database().execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_a_damaged_database_gets_a_plain_page_at_sign_in(tmp_path):
    from conftest import LiveApp

    damaged = tmp_path / "rusak.db"
    damaged.write_bytes(b"bukan basis data " * 512)
    app = LiveApp(damaged, tmp_path / "server.log")
    try:
        status, page = Client(app.url).sign_in("admin", PASSWORD)
    finally:
        app.stop()
    assert status == 503
    assert t("web.db_damaged") in text(page) and "Traceback" not in page
