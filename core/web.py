"""HTTP routes beside the Streamlit app: sign-in and sign-out with a signed HttpOnly cookie.

Streamlit cannot set an HttpOnly cookie itself, so ``/masuk`` is a small HTML form served by
Starlette; the pages then read the cookie through ``st.context.cookies``.
"""

from __future__ import annotations

import html
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

from core import auth, settings, setup
from core.errors import AuthError
from core.i18n import t

CSRF_COOKIE = "dasbor_csrf"

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
<form method="post" action="/masuk" autocomplete="on">
 <input type="hidden" name="csrf" value="{csrf}">
 <label for="username">{l_user}</label>
 <input id="username" name="username" value="{username}" autocomplete="username" required autofocus>
 <label for="password">{l_pass}</label>
 <input id="password" name="password" type="password" autocomplete="current-password" required>
 <button type="submit">{l_submit}</button>
</form>
<footer>{footer}</footer>
</main></body></html>"""


def _lang(request: Request) -> str:
    return "en" if request.query_params.get("lang") == "en" else "id"


def render_login(lang: str, csrf: str, message: str = "", kind: str = "err", username: str = "") -> str:
    """The sign-in page; every dynamic value is escaped."""
    box = f'<div class="msg {kind}" role="alert">{html.escape(message)}</div>' if message else ""
    return PAGE.format(
        lang=lang, title=html.escape(t("login.title", lang)), subtitle=html.escape(t("app.subtitle", lang)),
        message=box, csrf=html.escape(csrf), username=html.escape(username),
        l_user=html.escape(t("login.username", lang)), l_pass=html.escape(t("login.password", lang)),
        l_submit=html.escape(t("login.submit", lang)), footer=html.escape(t("login.footer", lang)))


def _page(request: Request, message: str = "", kind: str = "err", username: str = "", status: int = 200):
    csrf = secrets.token_urlsafe(24)
    response = HTMLResponse(render_login(_lang(request), csrf, message, kind, username), status_code=status)
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=_https(request))
    response.headers.update({"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                             "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                             "Content-Security-Policy": "default-src 'self'; style-src 'unsafe-inline'; "
                                                        "form-action 'self'; frame-ancestors 'none'"})
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
    if not secrets.compare_digest(str(form.get("csrf", "")), request.cookies.get(CSRF_COOKIE, "") or "-"):
        return _page(request, t("login.csrf", lang), username=username, status=400)
    try:  # argon2 and SQLite block: keep them off the event loop
        database, user, cookie = await run_in_threadpool(
            _sign_in, username, str(form.get("password", "")), request.client.host if request.client else "")
    except AuthError as err:
        return _page(request, err.message(lang), username=username, status=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(auth.COOKIE_NAME, cookie, httponly=True, samesite="lax", secure=_https(request),
                        max_age=int(settings.get(database, "session_max_hours")) * 3600, path="/")
    response.delete_cookie(CSRF_COOKIE)
    return response


def _sign_in(username: str, password: str, client: str):
    database = setup.open_app_database()
    user = auth.login(database, username, password, client=client)
    return database, user, auth.start_session(database, user)


async def logout(request: Request):
    """GET /keluar: end the session on the server and clear the cookie."""
    auth.end_session(setup.open_app_database(), request.cookies.get(auth.COOKIE_NAME))
    response = RedirectResponse("/masuk?info=keluar", status_code=303)
    response.delete_cookie(auth.COOKIE_NAME, path="/")
    return response


def routes() -> list[Route]:
    return [Route("/masuk", login_form, methods=["GET"]),
            Route("/masuk", login_submit, methods=["POST"]),
            Route("/keluar", logout, methods=["GET"])]
