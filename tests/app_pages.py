"""The Streamlit app page by page with streamlit.testing.v1.AppTest (no browser, no server)."""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app" / "main.py"
TIMEOUT = 30
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def app(page: str | None = None, result=None, result_from: str = "self", *,
        signed_in: bool = False) -> AppTest:
    """The app at `page`; `signed_in`: this session is the browser that opened the address
    `hipscreen app` printed (tests/test_app_access.py goes through the token itself)."""
    from hipscreen.app import access

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if result is not None:
        at.session_state["result"] = result
        at.session_state["result_from"] = result_from
    if signed_in:
        at.session_state[access.SIGNED_IN_KEY] = True
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def shown(text: str) -> str:
    """Markdown as it reads on the page: the backslash escapes of a person's words undone."""
    return _ESCAPED.sub(r"\1", text).replace("\u2060", "")


def texts(at: AppTest) -> str:
    """Every piece of text on the page, as it reads, to search for words."""
    parts = [e.value for kind in ("markdown", "header", "subheader", "title", "caption",
                                  "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return shown("\n".join(str(p) for p in parts))
