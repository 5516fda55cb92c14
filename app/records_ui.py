"""What the record pages share: who may see records, the store, and "Save on this computer".

Records are health data. On this computer (`hipscreen app` binds to 127.0.0.1) a record page
needs a browser signed in with the address `hipscreen app` printed (access.py); any other
browser gets a short sign-in page and nothing of any record. Served on any other address, every
record feature (saving, check-in, progress, the clinic queue) stays off unless Streamlit's own
login (`st.login`, an [auth] section in .streamlit/secrets.toml) is set up and the visitor has
logged in; the page says so in one line.

Nothing is ever saved on its own: only the "Save" buttons here and on the record pages write. A
person's words (labels, activities) are drawn as text, never Markdown (plain.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from hipscreen.app import access
from hipscreen.app.plain import md, quoted
from hipscreen.knowledge.checkin import PSFS_MAX_ACTIVITIES
from hipscreen.records import DatabaseError, RecordError, RecordStore
from hipscreen.result import Result

T = TypeVar("T")

SAVED_KEY = "records_saved"
"""st.session_state: id(result) -> (record id, label) of what this session saved."""
REFUSED = ("Records are off: this app is served on {address}, beyond this computer, and no login "
           "is set up (add an [auth] section for st.login to .streamlit/secrets.toml).")
SIGN_IN_FIRST = ("Saving needs this browser to be signed in: open the address `hipscreen app` "
                 "printed (it ends in `?token=...`). That opens a new page without this result, "
                 "so download it first if you want to keep it.")
PSFS_PICK_KEY = "psfs_pick"


def served_address() -> str:
    address = st.get_option("server.address")
    return str(address) if address else "every network address"


def served_locally() -> bool:
    return access.served_locally()


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
        return (True, None) if access.signed_in() else (False, SIGN_IN_FIRST)
    if not login_configured():
        return False, REFUSED.format(address=served_address())
    if not logged_in():
        return False, "Records need you to log in first."
    return True, None


def require_records_access() -> None:
    """Stop the page unless the visitor may see records: on this computer with the sign-in page,
    beyond it with one clear line (and a login button when login is set up)."""
    allowed, why = records_allowed()
    if allowed:
        return
    if served_locally():
        access.show_sign_in()
        st.stop()
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
        st.error(md(exc), icon=":material/edit:")
    else:
        st.error(f"The records could not be reached: {md(exc)}", icon=":material/cloud_off:")


def read_or_stop(read: Callable[[], T]) -> T:
    """What a store read returns; on a record or database error the problem is shown and the
    page stops there."""
    try:
        return read()
    except (RecordError, DatabaseError) as exc:
        show_problem(exc)
        st.stop()


def psfs_inputs(prefix: str, existing: dict[str, int] | None = None) -> dict[str, int]:
    """Up to three PSFS activities: the ones named before are scored again (when more than three
    were named, e.g. by a check-in from the command line, the person picks up to three, the
    newest first); otherwise the person names them."""
    scores: dict[str, int] = {}
    if existing:
        names = list(existing)
        if len(names) > PSFS_MAX_ACTIVITIES:
            st.info(f"Your records name {len(names)} activities (a check-in elsewhere named new "
                    f"ones), and a check-in scores at most {PSFS_MAX_ACTIVITIES}. Pick the ones to "
                    "score now; the others keep their last score.", icon=":material/checklist:")
            picked = st.multiselect(
                f"Activities to score now (up to {PSFS_MAX_ACTIVITIES})", options=names,
                default=names[-PSFS_MAX_ACTIVITIES:], max_selections=PSFS_MAX_ACTIVITIES,
                key=prefix + PSFS_PICK_KEY)
        else:
            picked = names
        for index, name in enumerate(names):
            if name not in picked:
                continue
            last = existing[name]
            scores[name] = st.slider(f"{md(name)}: how well can you do it now? (0 = unable, 10 = "
                                     f"as before the problem; last time {last})", 0, 10, last,
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
        st.success(f"Saved as record {done[0]} for {quoted(done[1])}. Use this label for your "
                   "check-in and to see your progress.", icon=":material/check_circle:")
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
