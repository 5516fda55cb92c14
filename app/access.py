"""Who gets a page, and who sees records.

* **Host names.** Every run starts with `check_host()` (app/main.py, before anything is drawn):
  a request whose Host header names anything but 127.0.0.1, localhost or [::1] gets one line and
  nothing else. This stops DNS rebinding: a web page on another site whose name is made to resolve
  to 127.0.0.1 reaches the server, but under its own name. Served beyond this computer (not bound
  to a loopback address), the names in HIPSCREEN_PUBLIC_HOST (comma-separated, e.g.
  `hipscreen.clinic.example`) are served too.
* **Signing in on this computer.** Records are health data, and every user of a shared computer can
  reach 127.0.0.1. `hipscreen app` (app/launch.py) makes a random one-time token, hands it to the
  Streamlit process in HIPSCREEN_SIGNIN_TOKEN and prints the address with it
  (`http://127.0.0.1:8501/?token=...`). The first browser that opens it is signed in: the token
  is taken out of the address, marked used, and a cookie is set for the app's origin holding an
  HMAC of a secret made when this server process started (never the token). Streamlit cannot set
  a cookie from Python; a few lines of script in the page do (`document.cookie`, SameSite=Strict,
  path /), and each new session reads it back from the request (`st.context.cookies`). The
  cookie is worth nothing once the server stops (a new secret), and a second use of the token
  signs nobody in.
* **Beyond this computer** records need Streamlit's own login (`st.login`, records_ui.py).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading

import streamlit as st

from hipscreen.app.launch import TOKEN_ENV, TOKEN_PARAM
from hipscreen.i18n import N_, _

PUBLIC_HOST_ENV = "HIPSCREEN_PUBLIC_HOST"
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
COOKIE_PREFIX = "hipscreen_signin_"
COOKIE_MAX_AGE = 30 * 24 * 3600  # the cookie is void anyway once this server stops
SIGNED_IN_KEY = "hipscreen_signed_in"
"""st.session_state: this browser session is signed in (by the token, or by its cookie)."""
COOKIE_DUE_KEY = "hipscreen_cookie_due"
"""st.session_state: the token was used in this session, so the page sets the cookie."""
SIGNIN_PROBLEM_KEY = "hipscreen_signin_problem"

_SECRET = secrets.token_bytes(32)  # one per server process: cookies die with the server
_used_tokens: set[str] = set()
_lock = threading.Lock()


# -- the Host header ---------------------------------------------------------------------------
def served_locally() -> bool:
    """The server listens on a loopback address only (what `hipscreen app` does)."""
    return st.get_option("server.address") in LOOPBACK_ADDRESSES


def host_name(host: str) -> str:
    """The name in a Host header, lower case, without its port: '[::1]:8501' -> '[::1]'."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end > 0 else host
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() and ":" not in name else host


def public_hosts() -> tuple[str, ...]:
    """The names configured in HIPSCREEN_PUBLIC_HOST (used only when served beyond here)."""
    return tuple(host_name(name) for name in os.environ.get(PUBLIC_HOST_ENV, "").split(",")
                 if name.strip())


def allowed_hosts() -> tuple[str, ...]:
    return LOOPBACK_HOSTS if served_locally() else LOOPBACK_HOSTS + public_hosts()


def request_headers():
    """The headers of the request that opened this session (empty when no browser is behind
    the run, e.g. in AppTest)."""
    return st.context.headers


def request_cookies():
    """The cookies the browser sent when it opened this session."""
    return st.context.cookies


def host_allowed() -> bool:
    headers = request_headers()
    if not len(headers):  # no HTTP request behind this run (AppTest): nothing to check
        return True
    host = headers.get("Host")
    return isinstance(host, str) and host_name(host) in allowed_hosts()


def check_host() -> None:
    """Stop the run, before anything is drawn, unless the Host header names this server."""
    if host_allowed():
        return
    port = st.get_option("server.port")
    st.error(_("This app answers only at http://127.0.0.1:{port}/ (or localhost).", port=port),
             icon=":material/block:")
    st.stop()


# -- signing in with the printed address ---------------------------------------------------------
def server_token() -> str | None:
    token = os.environ.get(TOKEN_ENV, "")
    return token or None


def cookie_name() -> str:
    """One cookie per port: cookies are shared by every port of a host."""
    return f"{COOKIE_PREFIX}{st.get_option('server.port')}"


def cookie_value() -> str:
    return hmac.new(_SECRET, b"hipscreen: this browser may see records", hashlib.sha256).hexdigest()


def _take_token(given: str) -> bool:
    """True once for the server's token; False for anything else, or for it again."""
    expected = server_token()
    if expected is None or not hmac.compare_digest(given.encode(), expected.encode()):
        return False
    with _lock:
        if expected in _used_tokens:
            return False
        _used_tokens.add(expected)
        return True


def sign_in_from_address() -> None:
    """Use a `?token=` in the address (app/main.py, every run): sign this session in when it is
    the server's unused token, and take it out of the address whatever it is."""
    if TOKEN_PARAM not in st.query_params:
        return
    given = st.query_params.get(TOKEN_PARAM) or ""
    del st.query_params[TOKEN_PARAM]
    if signed_in():
        return
    if served_locally() and _take_token(given):
        st.session_state[SIGNED_IN_KEY] = True
        st.session_state[COOKIE_DUE_KEY] = True
        st.session_state.pop(SIGNIN_PROBLEM_KEY, None)
        st.toast(_("Signed in: this browser can see records until the app stops."),
                 icon=":material/lock_open:")
    else:
        st.session_state[SIGNIN_PROBLEM_KEY] = N_(
            "That sign-in address has been used already, or belongs to another start of the app.")


def signed_in() -> bool:
    """This browser session opened the printed address, or sent the cookie that it set."""
    if st.session_state.get(SIGNED_IN_KEY):
        return True
    sent = request_cookies().get(cookie_name())
    if isinstance(sent, str) and hmac.compare_digest(sent.encode(), cookie_value().encode()):
        st.session_state[SIGNED_IN_KEY] = True
        return True
    return False


def cookie_script() -> str:
    """The script that sets the sign-in cookie, when this session used the token; else ''."""
    if not st.session_state.get(COOKIE_DUE_KEY):
        return ""
    return (f"document.cookie = '{cookie_name()}={cookie_value()}; Path=/; "
            f"Max-Age={COOKIE_MAX_AGE}; SameSite=Strict';\n")


def show_sign_in() -> None:
    """The sign-in page of a record page: what to open, and nothing of any record."""
    st.header(_("Sign in to see records"))
    problem = st.session_state.get(SIGNIN_PROBLEM_KEY)
    if problem:
        st.warning(_(problem), icon=":material/key_off:")
    if server_token() is None:
        st.info(_("Records are off: this server was not started with `hipscreen app`, so there is "
                "no sign-in address. Start the app with `hipscreen app`."), icon=":material/lock:")
        return
    st.info(_("Records are health data, so only the browser that opened the sign-in address can "
              "see them, even on this computer."), icon=":material/lock:")
    st.markdown(_("1. In the terminal where `hipscreen app` runs, find the address that ends in "
                  "`?token=...`.\n"
                  "2. Open it in this browser. This browser then stays signed in until the app "
                  "stops.\n\n"
                  "The address works once. If it was used already, stop the app (Ctrl+C) and "
                  "start `hipscreen app` again for a new one. Self-screening needs no sign-in."))
