"""The Streamlit app page by page with streamlit.testing.v1.AppTest (no browser, no server)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app" / "main.py"
TIMEOUT = 30


def app(page: str | None = None, result=None, result_from: str = "self") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if result is not None:
        at.session_state["result"] = result
        at.session_state["result_from"] = result_from
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> str:
    """Every piece of text on the page, to search for words."""
    parts = [e.value for kind in ("markdown", "header", "subheader", "title", "caption",
                                  "success", "info", "warning", "error")
             for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts)
