"""What the record pages share: who may see records, the store, and "Save on this computer".

Records are health data. The app binds to 127.0.0.1 (`hipscreen app`), so only this computer
reaches it. Served on any other address, every record feature (saving, check-in, progress, the
clinic queue) stays off unless Streamlit's own login (`st.login`, an [auth] section in
.streamlit/secrets.toml) is set up and the visitor has logged in; the page says so in one line.

Nothing is ever saved on its own: only the "Save" buttons here and on the record pages write.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from hipscreen.knowledge.checkin import PSFS_MAX_ACTIVITIES
from hipscreen.records import DatabaseError, RecordError, RecordStore
from hipscreen.result import Result

T = TypeVar("T")

LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
SAVED_KEY = "records_saved"
"""st.session_state: id(result) -> (record id, label) of what this session saved."""
REFUSED = ("Records are off: this app is served on {address}, beyond this computer, and no login "
           "is set up (add an [auth] section for st.login to .streamlit/secrets.toml).")


def served_address() -> str:
    address = st.get_option("server.address")
    return str(address) if address else "every network address"


def served_locally() -> bool:
    return st.get_option("server.address") in LOCAL_ADDRESSES


def login_configured() -> bool:
    """Streamlit's built-in authentication is set up ([auth] in secrets.toml)."""
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets file at all
        return False
    return bool(auth) and "cookie_secret" in auth and "redirect_uri" in auth


def logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except (AttributeError, KeyError):  # no login has happened in this session
        return False


def records_allowed() -> tuple[bool, str | None]:
    """Whether this visitor may use records, and if not, the one line that says why."""
    if served_locally():
        return True, None
    if not login_configured():
        return False, REFUSED.format(address=served_address())
    if not logged_in():
        return False, "Records need you to log in first."
    return True, None


def require_records_access() -> None:
    """Stop the page (with one clear line, and a login button when login is set up) unless the
    visitor may see records."""
    allowed, why = records_allowed()
    if allowed:
        return
    st.error(why, icon=":material/lock:")
    if login_configured():
        st.button("Log in", key="records_login", on_click=st.login)
    st.stop()


def store() -> RecordStore:
    """The record store: HIPSCREEN_DATABASE_URL, or one SQLite file in the user's data directory.
    Creating it reads and writes nothing."""
    return RecordStore()


def show_problem(exc: Exception) -> None:
    """A record error in one line (a database error never shows a password)."""
    if isinstance(exc, RecordError):
        st.error(str(exc), icon=":material/edit:")
    else:
        st.error(f"The records could not be reached: {exc}", icon=":material/cloud_off:")


def read_or_stop(read: Callable[[], T]) -> T:
    """What a store read returns; on a record or database error the problem is shown and the
    page stops there."""
    try:
        return read()
    except (RecordError, DatabaseError) as exc:
        show_problem(exc)
        st.stop()


def psfs_inputs(prefix: str, existing: dict[str, int] | None = None) -> dict[str, int]:
    """Up to three PSFS activities: the ones named before are scored again; otherwise the person
    names them."""
    scores: dict[str, int] = {}
    if existing:
        for index, (name, last) in enumerate(existing.items()):
            scores[name] = st.slider(f"{name}: how well can you do it now? (0 = unable, 10 = as "
                                     f"before the problem; last time {last})", 0, 10, last,
                                     key=f"{prefix}psfs_score_{index}")
        return scores
    for index in range(PSFS_MAX_ACTIVITIES):
        left, right = st.columns([3, 2])
        name = left.text_input(f"Activity {index + 1} you find hard (optional)",
                               key=f"{prefix}psfs_name_{index}", max_chars=60,
                               placeholder="e.g. running 5 km, deadlift, golf")
        score = right.slider(f"Activity {index + 1}: 0 = unable, 10 = as before", 0, 10, 5,
                             key=f"{prefix}psfs_value_{index}")
        if name.strip():
            scores[name.strip()] = score
    return scores


def save_widget(result: Result) -> None:
    """"Save on this computer": a pseudonymous label and, optionally, up to three activities for
    the Patient-Specific Functional Scale. Saving happens only when the button is pressed."""
    st.header("Save on this computer")
    allowed, why = records_allowed()
    if not allowed:
        st.info(why, icon=":material/lock:")
        return
    saved = st.session_state.setdefault(SAVED_KEY, {})
    done = saved.get(id(result))
    if done is not None:
        st.success(f"Saved as record {done[0]} for '{done[1]}'. Use this label for your check-in "
                   "and to see your progress.", icon=":material/check_circle:")
        return
    st.write("Keep this result to check in later and see your progress. Nothing is saved unless "
             "you press Save. Use a label only you recognise, not your name.")
    suggestion = st.session_state.setdefault("records_label_suggestion",
                                             f"me-{secrets.token_hex(2)}")
    with st.form("save_result"):
        label = st.text_input("Your label (no name needed)", value=suggestion, max_chars=60,
                              key="save_label")
        st.caption("Optional: up to three activities your back or hip makes hard, and how well you "
                   "can do each now (the Patient-Specific Functional Scale). Each check-in asks "
                   "about them again.")
        scores = psfs_inputs("save:")
        pressed = st.form_submit_button("Save", type="primary")
    if pressed:
        try:
            record_id = store().save_screening(result, person=label, psfs=scores or None)
        except (RecordError, DatabaseError) as exc:
            show_problem(exc)
            return
        saved[id(result)] = (record_id, label.strip())
        st.rerun()
