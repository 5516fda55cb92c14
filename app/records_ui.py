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
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from hipscreen.app import access
from hipscreen.app.plain import md, quoted
from hipscreen.i18n import N_, _, current_language
from hipscreen.knowledge.checkin import PSFS_MAX_ACTIVITIES
from hipscreen.records import DatabaseError, RecordError, RecordStore
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result

T = TypeVar("T")

SAVED_KEY = "records_saved"
"""st.session_state: id(result) -> (record id, label) of what this session saved."""
REFUSED = N_("Records are off: this app is served on {address}, beyond this computer, and no login "
           "is set up (add an [auth] section for st.login to .streamlit/secrets.toml).")
SIGN_IN_FIRST = N_("Saving needs this browser to be signed in: open the address `hipscreen app` "
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
        return (True, None) if access.signed_in() else (False, _(SIGN_IN_FIRST))
    if not login_configured():
        return False, _(REFUSED, address=served_address())
    if not logged_in():
        return False, _("Records need you to log in first.")
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
        st.button(_("Log in"), key="records_login", on_click=st.login)
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
        st.error(_("The records could not be reached: {problem}", problem=md(exc)),
                 icon=":material/cloud_off:")


def read_or_stop(read: Callable[[], T]) -> T:
    """What a store read returns; on a record or database error the problem is shown and the
    page stops there."""
    try:
        return read()
    except (RecordError, DatabaseError) as exc:
        show_problem(exc)
        st.stop()


@dataclass(frozen=True)
class QueueDetails:
    """What the queue shows of a record beside its row: pain and the red flags, in words."""

    pain: str
    flags: str


_DETAILS: OrderedDict[tuple[str, int], QueueDetails] = OrderedDict()
_DETAILS_MAX = 5000
_details_lock = threading.Lock()


def queue_details(records: RecordStore, ids: list[int]) -> dict[int, QueueDetails]:
    """Pain (now / worst of the week) and the red flags of each record, read once per record:
    a saved record never changes (a revision is a new record, ids are never reused), so what
    was read is kept, for the records of this store only."""
    out: dict[int, QueueDetails] = {}
    for record_id in ids:
        key = (records.safe_url, record_id, current_language())
        with _details_lock:
            found = _DETAILS.get(key)
        if found is None:
            try:
                record = records.get(record_id)
            except RecordError:  # deleted meanwhile
                out[record_id] = QueueDetails("-", "-")
                continue
            summary = record.summary or {}
            now, worst = summary.get("pain_now"), summary.get("pain_worst_week")
            pain = "-" if now is None else f"{now} / {'-' if worst is None else worst}"
            flags = ((record.result or {}).get("triage") or {}).get("red_flags") or []
            found = QueueDetails(pain, "; ".join(str(f.get("label", f.get("id", "")))
                                                 for f in flags)
                                  or _("none", context="feminine"))
            with _details_lock:
                _DETAILS[key] = found
                while len(_DETAILS) > _DETAILS_MAX:
                    _DETAILS.popitem(last=False)
        out[record_id] = found
    return out


def psfs_inputs(prefix: str, existing: dict[str, int] | None = None, *,
                clinician: bool = False) -> dict[str, int]:
    """Up to three PSFS activities: the ones named before are scored again (when more than three
    were named, e.g. by a check-in from the command line, the person picks up to three, the
    newest first); otherwise the person names them."""
    scores: dict[str, int] = {}
    if existing:
        names = list(existing)
        if len(names) > PSFS_MAX_ACTIVITIES:
            st.info(_("Your records name {count} activities (a check-in elsewhere named new "
                      "ones), and a check-in scores at most {most}. Pick the ones to score now; "
                      "the others keep their last score.", count=len(names),
                      most=PSFS_MAX_ACTIVITIES), icon=":material/checklist:")
            picked = st.multiselect(
                _("Activities to score now (up to {most})", most=PSFS_MAX_ACTIVITIES), options=names,
                default=names[-PSFS_MAX_ACTIVITIES:], max_selections=PSFS_MAX_ACTIVITIES,
                key=prefix + PSFS_PICK_KEY)
        else:
            picked = names
        for index, name in enumerate(names):
            if name not in picked:
                continue
            last = existing[name]
            scores[name] = st.slider(_("{activity}: how well can you do it now? (0 = unable, 10 "
                                       "= as before the problem; last time {last})",
                                       activity=md(name), last=last), 0, 10, last,
                                     key=f"{prefix}psfs_score_{index}")
        return scores
    for index in range(PSFS_MAX_ACTIVITIES):
        left, right = st.columns([3, 2])
        asked = (_("Activity {number} the patient finds hard (optional)", number=index + 1)
                 if clinician else
                 _("Activity {number} you find hard (optional)", number=index + 1))
        name = left.text_input(asked, key=f"{prefix}psfs_name_{index}", max_chars=60,
                               placeholder=_("e.g. running 5 km, deadlift, golf"))
        score = right.slider(_("Activity {number}: 0 = unable, 10 = as before",
                               number=index + 1), 0, 10, 5,
                             key=f"{prefix}psfs_value_{index}")
        if name.strip():
            scores[name.strip()] = score
    return scores


def save_widget(result: Result, *, clinician: bool = False, anchor: str | None = None) -> None:
    """"Save on this computer": a pseudonymous label and, optionally, up to three activities for
    the Patient-Specific Functional Scale (not at a level that stops the plan: there is nothing
    to score then). Saving happens only when the button is pressed, never on Enter in a box."""
    st.header(_("Save on this computer"), anchor=anchor)
    allowed, why = records_allowed()
    if not allowed:
        st.info(why, icon=":material/lock:")
        return
    saved = st.session_state.setdefault(SAVED_KEY, {})
    done = saved.get(id(result))
    if done is not None:
        st.success(_("Saved as record {number} for {label}. Use this label for the check-ins "
                     "and the clinic queue.", number=done[0], label=quoted(done[1]))
                   if clinician else
                   _("Saved as record {number} for {label}. Use this label for your check-in "
                     "and to see your progress.", number=done[0], label=quoted(done[1])),
                   icon=":material/check_circle:")
        return
    scored = result.triage.level not in LEVELS_THAT_STOP_DRILLS
    if clinician:
        st.write(_("Keep this screening for follow-up: check-ins, progress and the clinic queue. "
                   "Nothing is saved unless you press Save. Use a pseudonymous label, not the "
                   "patient's name."))
    else:
        st.write(_("Keep this result to check in later and see your progress. Nothing is saved "
                   "unless you press Save. Use a label only you recognise, not your name."))
    suggestion = st.session_state.setdefault("records_label_suggestion",
                                             f"me-{secrets.token_hex(2)}")
    with st.form("save_result", enter_to_submit=False):
        label = st.text_input(_("Label (a pseudonym, not the patient's name)") if clinician
                              else _("Your label (no name needed)"), value=suggestion,
                              max_chars=60, key="save_label")
        scores: dict[str, int] = {}
        if scored:
            st.caption(_("Optional: up to three activities the patient's back or hip makes hard, "
                         "and how well they can do each now (the Patient-Specific Functional "
                         "Scale). Each check-in asks about them again.") if clinician else
                       _("Optional: up to three activities your back or hip makes hard, and how "
                         "well you can do each now (the Patient-Specific Functional Scale). Each "
                         "check-in asks about them again."))
            scores = psfs_inputs("save:", clinician=clinician)
        pressed = st.form_submit_button(_("Save"), type="primary")
    if pressed:
        try:
            record_id = store().save_screening(result, person=label, psfs=scores or None)
        except (RecordError, DatabaseError) as exc:
            show_problem(exc)
            return
        saved[id(result)] = (record_id, label.strip())
        st.rerun()
