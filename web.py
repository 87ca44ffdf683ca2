"""HTTP beside the Streamlit app: sign-in and sign-out forms with a signed HttpOnly cookie, and the upload guard.

Streamlit cannot set an HttpOnly cookie itself, so ``/masuk`` is a small HTML form served by
Starlette; the pages then read the cookie through ``st.context.cookies``. Sign-out is a POST
with the form's own token (a link on another site cannot sign anyone out). Streamlit's upload
endpoint answers only to a browser with a valid session (:class:`UploadGuard`).
"""

from __future__ import annotations

import html
import logging
import secrets
import sqlite3

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core import auth, db, settings, setup
from core.errors import AuthError
from core.i18n import t

CSRF_COOKIE = "dasbor_csrf"
UPLOAD_PATH = "/_stcore/upload_file/"

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body {{font-family: "Source Sans Pro", "DejaVu Sans", sans-serif; background:#f4f6f9; margin:0;
        display:flex; min-height:100vh; align-items:center; justify-content:center; color:#1f2a37}}
 main {{background:#fff; padding:2.2rem 2.4rem; border-radius:10px; width:min(380px, 92vw);
        box-shadow:0 2px 14px rgba(0,0,0,.08)}}
 h1 {{font-size:1.35rem; margin:0 0 .2rem}} p.sub {{margin:0 0 1.4rem; color:#5b6675; font-size:.95rem}}
 label {{display:block; font-size:.9rem; margin:.9rem 0 .3rem}}
 input {{width:100%; box-sizing:border-box; padding:.6rem .7rem; font-size:1rem;
        border:1px solid #c9d1db; border-radius:6px}}
 button {{margin-top:1.4rem; width:100%; padding:.7rem; font-size:1rem; border:0; border-radius:6px;
        background:#0b5394; color:#fff; cursor:pointer}}
 .msg {{padding:.6rem .8rem; border-radius:6px; margin-bottom:.6rem; font-size:.92rem}}
 .err {{background:#fdecea; color:#8a1c12}} .ok {{background:#e8f4ea; color:#1d5e2a}}
 footer {{margin-top:1.2rem; font-size:.8rem; color:#7a8594}}
</style></head>
<body><main>
<h1>{title}</h1><p class="sub">{subtitle}</p>
{message}
{body}
<footer>{footer}</footer>
</main></body></html>"""


LOGIN_FORM = """<form method="post" action="/masuk" autocomplete="on">
 <input type="hidden" name="csrf" value="{csrf}">
 <label for="username">{l_user}</label>
 <input id="username" name="username" value="{username}" autocomplete="username" required autofocus>
 <label for="password">{l_pass}</label>
 <input id="password" name="password" type="password" autocomplete="current-password" required>
 <button type="submit">{l_submit}</button>
</form>"""

LOGOUT_FORM = """<form method="post" action="/keluar">
 <input type="hidden" name="csrf" value="{csrf}">
 <button type="submit">{l_submit}</button>
</form>"""


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "id"


def _frame(lang: str, body: str, message: str = "", kind: str = "err", title_key: str = "login.title") -> str:
    """One of our small HTML pages; ``body`` is our own markup, every other value is escaped here."""
    box = f'<div class="msg {kind}" role="alert">{html.escape(message)}</div>' if message else ""
    return PAGE.format(lang=lang, title=html.escape(t(title_key, lang)),
                       subtitle=html.escape(t("app.subtitle", lang)), message=box, body=body,
                       footer=html.escape(t("login.footer", lang)))


def render_login(lang: str, csrf: str, message: str = "", kind: str = "err", username: str = "") -> str:
    """The sign-in page; every dynamic value is escaped."""
    body = LOGIN_FORM.format(csrf=html.escape(csrf), username=html.escape(username),
                             l_user=html.escape(t("login.username", lang)),
                             l_pass=html.escape(t("login.password", lang)),
                             l_submit=html.escape(t("login.submit", lang)))
    return _frame(lang, body, message, kind)


def render_logout(lang: str, csrf: str, message: str = "", nonce: str = "") -> str:
    """The sign-out page: one button that POSTs the form's token (pressed by itself when the app sent us here)."""
    body = LOGOUT_FORM.format(csrf=html.escape(csrf), l_submit=html.escape(t("logout.submit", lang)))
    if nonce:
        body += f'<script nonce="{html.escape(nonce)}">document.forms[0].submit()</script>'

    return _frame(lang, body, message or t("logout.confirm", lang), "ok" if not message else "err",
                  title_key="logout.title")


def _respond(request: Request, render, status: int = 200, **values) -> HTMLResponse:
    """An HTML page with a fresh form token (also set as a strict cookie) and the hardening headers."""
    csrf = secrets.token_urlsafe(24)
    response = HTMLResponse(render(_lang(request), csrf, **values), status_code=status)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_https(request))
    _harden(response, values.get("nonce", ""))
    return response


def _harden(response, nonce: str = "") -> None:
    scripts = f"script-src 'nonce-{nonce}'; " if nonce else ""
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                             "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; " + scripts
                                                        + "form-action 'self'; frame-ancestors 'none'"})


def _page(request: Request, message: str = "", kind: str = "err", username: str = "", status: int = 200):
    return _respond(request, render_login, status, message=message, kind=kind, username=username)


def _form_token_ok(request: Request, form) -> bool:
    """The form's hidden token matches its strict cookie, and a browser that names an origin names ours."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.split("://", 1)[-1] != request.headers.get("host", ""):
        return False
    return secrets.compare_digest(str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "") or "-")


# A database that cannot be used: a plain page that says what is wrong and what to do ----------

def database_problem(exc: BaseException) -> str:
    """The catalog key that explains why the database could not be used."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return "web.db_readonly"
    if "full" in text or getattr(exc, "errno", None) == 28:  # ENOSPC
        return "web.db_full"
    if "locked" in text or "busy" in text:
        return "web.db_busy"
    return "web.db_damaged"


DATABASE_ERRORS = (sqlite3.DatabaseError, db.IntegrityFailure, OSError)


def _database_page(request: Request, exc: BaseException) -> HTMLResponse:
    logging.getLogger("dasbor").error("database unusable at %s", request.url.path, exc_info=exc)
    lang = _lang(request)
    response = HTMLResponse(_frame(lang, "", t(database_problem(exc), lang), title_key="web.db_title"),
                            status_code=503)
    _harden(response)
    return response


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


async def login_form(request: Request):
    """GET /masuk."""
    notes = {"keluar": ("login.logged_out", "ok"), "admin": ("login.admin_created", "ok"),
             "habis": ("login.expired", "err")}
    key, kind = notes.get(request.query_params.get("info", ""), ("", "ok"))
    return _page(request, t(key, _lang(request)) if key else "", kind)


async def login_submit(request: Request):
    """POST /masuk: check the password, set the session cookie, go to the app."""
    form = await request.form()
    lang = _lang(request)
    username = str(form.get("username", ""))[:64]
    if not _form_token_ok(request, form):
        return _page(request, t("login.csrf", lang), username=username, status=400)
    try:  # argon2 and SQLite block: keep them off the event loop
        database, user, cookie = await run_in_threadpool(
            _sign_in, username, str(form.get("password", "")), request.client.host if request.client else "")
    except AuthError as err:
        return _page(request, err.message(lang), username=username,
                     status=503 if err.key == "auth.busy" else 401)
    except DATABASE_ERRORS as err:
        return _database_page(request, err)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(auth.COOKIE_NAME, cookie, httponly=True, samesite="lax", secure=_https(request),
                        max_age=int(settings.get(database, "session_max_hours")) * 3600, path="/")
    response.delete_cookie(CSRF_COOKIE)
    return response


def _sign_in(username: str, password: str, client: str):
    database = setup.open_app_database()
    user = auth.login(database, username, password, client=client)
    return database, user, auth.start_session(database, user)


async def logout_form(request: Request):
    """GET /keluar: the sign-out button (a link alone signs nobody out). With the session's own sign-out token,
    which only the app's sidebar knows, the page presses its button itself: one click from the sidebar."""
    cookie = request.cookies.get(auth.COOKIE_NAME)
    if not cookie:
        return RedirectResponse("/masuk", status_code=303)
    token = request.query_params.get("t")
    try:
        known = bool(token) and await run_in_threadpool(auth.sign_out_token_ok, setup.open_app_database(), cookie,
                                                        token)
    except DATABASE_ERRORS as err:
        return _database_page(request, err)
    return _respond(request, render_logout, nonce=secrets.token_urlsafe(16) if known else "")


async def logout(request: Request):
    """POST /keluar with the form's token: end the session on the server and clear the cookie."""
    form = await request.form()
    if not _form_token_ok(request, form):
        return _respond(request, render_logout, status=400, message=t("login.csrf", _lang(request)))
    try:
        await run_in_threadpool(_sign_out, request.cookies.get(auth.COOKIE_NAME))
    except DATABASE_ERRORS as err:
        return _database_page(request, err)
    response = RedirectResponse("/masuk?info=keluar", status_code=303)
    response.delete_cookie(auth.COOKIE_NAME, path="/")
    response.delete_cookie(CSRF_COOKIE)
    return response


def _sign_out(cookie: str | None) -> None:
    auth.end_session(setup.open_app_database(), cookie)


def has_session(cookie: str | None) -> bool:
    """Whether the cookie belongs to a live session (an unusable database counts as no)."""
    if not cookie:
        return False
    try:
        return auth.session_user(setup.open_app_database(), cookie) is not None
    except DATABASE_ERRORS:
        return False


class UploadGuard:
    """ASGI middleware: Streamlit's upload endpoint refuses (403) a browser without a valid session."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and UPLOAD_PATH in scope.get("path", "")
                and scope.get("method") != "OPTIONS"
                and not await run_in_threadpool(has_session, Request(scope).cookies.get(auth.COOKIE_NAME))):
            await PlainTextResponse(t("web.upload_refused"), status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def routes() -> list[Route]:
    return [Route("/masuk", login_form, methods=["GET"]),
            Route("/masuk", login_submit, methods=["POST"]),
            Route("/keluar", logout_form, methods=["GET"]),
            Route("/keluar", logout, methods=["POST"])]


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(UploadGuard)]
