"""The app's language: chosen by the person on every page, kept in the address (`?lang=es`).

Each run of the app sets the language before anything is drawn (app/main.py calls `choose()`),
from the address alone: a reload or a shared link keeps it, and nothing is guessed from the
server's locale or the browser's headers. An unknown `?lang=` reads as English. Moving to another
page keeps the language of this browser session even when the address loses its `?lang=`.

Words the pages keep in tables (headings of question groups, self-test titles...) are marked with
`N_` where they are written, so the catalogue extraction finds them, and translated with `_` where
they are drawn.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st

from hipscreen.i18n import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    _,
    current_language,
    set_language,
    use_language,
)

PARAM = "lang"
"""The address parameter that holds the language code."""
CHOICE_KEY = "hipscreen_language_choice"
"""The language widget's key in st.session_state."""
SESSION_KEY = "hipscreen_language"
"""st.session_state: the language of this browser session's last run."""


def asked() -> str:
    """The language this run should use: the address's, else this session's, else English."""
    given = st.query_params.get(PARAM)
    if given in LANGUAGES:
        return given
    if given is None and st.session_state.get(SESSION_KEY) in LANGUAGES:
        return st.session_state[SESSION_KEY]
    return SOURCE_LANGUAGE


def _picked() -> None:
    """The widget changed: put the new language in the address (this run reads it from there)."""
    lang = st.session_state.get(CHOICE_KEY)
    if lang in LANGUAGES:
        st.query_params[PARAM] = lang


def choose() -> str:
    """Set the language of this run from the address and keep the address saying it (draws
    nothing: app/main.py calls it first). Returns the language code."""
    lang = asked()
    given = st.query_params.get(PARAM)
    if given is not None and given != lang:  # an unknown code: English, and out of the address
        del st.query_params[PARAM]
    elif given is None and lang != SOURCE_LANGUAGE:  # a page change lost it: put it back
        st.query_params[PARAM] = lang
    set_language(lang)
    previous = st.session_state.get(SESSION_KEY)
    st.session_state[SESSION_KEY] = lang
    if previous is not None and previous != lang:
        _result_again()
    return current_language()


def in_session_language(callback: Callable[..., Any]) -> Callable[..., Any]:
    """A widget callback that runs in this session's language. Streamlit runs a button's
    callback before the page's script, so before `choose()` has set the language: a result
    screened there ("See my result", "Screen this intake") would read in English."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        with use_language(asked()):
            return callback(*args, **kwargs)

    return run


def offer() -> None:
    """The choice of language, small, in the sidebar under the page menu (widgets.page_header
    draws it on every page)."""
    st.session_state[CHOICE_KEY] = current_language()
    with st.sidebar:
        st.radio(_("Language"), options=list(LANGUAGES), format_func=LANGUAGES.__getitem__,
                 key=CHOICE_KEY, on_change=_picked, horizontal=True)


def _result_again() -> None:
    """The language changed: a result held in this session is screened again from its own
    intake, so its texts (triage, plan, safety net) read in the new language. The answers given
    on the self-screening are kept as they are."""
    from hipscreen.app.keys import RESULT_KEY
    from hipscreen.screening import screen

    held = st.session_state.get(RESULT_KEY)
    intake = getattr(held, "intake", None)
    if intake is None:
        return
    try:
        st.session_state[RESULT_KEY] = screen(intake)
    except Exception:  # noqa: BLE001 - a result that cannot be screened again stays as it was
        return
