"""The clinic's queue: saved records, most urgent triage first, then oldest first, filtered by
status and date. Open one to see its full result and reasoning, add objective tests and re-screen
(saved as a revision that follows it, with initials), change its status, or delete it (confirmed
and logged). Nothing here overwrites a record."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from hipscreen.app import language, records_ui, widgets
from hipscreen.app.clinician_note import note_to_paste
from hipscreen.app.intake_form import measured_ir_rule_words
from hipscreen.app.plain import md, quoted
from hipscreen.app.questions import NOT_TESTED, movement_options, side_name
from hipscreen.app.reasoning import conclusions, how_markdown
from hipscreen.documents import field_problems
from hipscreen.explain import how
from hipscreen.i18n import N_, _
from hipscreen.knowledge.intake import Intake, Movement
from hipscreen.records import DatabaseError, RecordError
from hipscreen.records.models import STATUSES
from hipscreen.review import DECISION_WORDS, Review, decision_how, review_text
from hipscreen.screening import screen
from hipscreen.words import CLINICIAN_MOVEMENT_LABELS, LEVEL_WORDS

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

SIDE_TESTS = [n for n in Movement.model_fields if n not in ("hinge_faults", "hip_ir_degrees")]
STATUS_WORDS = {"new": N_("new"), "reviewed": N_("reviewed"), "referred": N_("referred"),
                "closed": N_("closed")}
KIND_WORDS = {"screening": N_("screening"), "revision": N_("clinician revision"),
              "checkin": N_("check-in")}
MODE_WORDS = {"self": N_("self-screening"), "clinician": N_("clinician intake")}


def words(table: dict[str, str], key: str) -> str:
    """A record's status, kind or mode in the page's language (an unknown one as it is)."""
    return _(table[key]) if key in table else key


QUEUE_PAGE = 50
"""Rows of the queue on one page."""

SIDE_WORDS = {NOT_TESTED: _("not tested"), "none": _("none"), "left": _("left"),
              "right": _("right"), "both": _("both")}

widgets.page_header(_("Clinic queue"), _("Saved screenings and check-ins, most urgent first, "
                                         "then oldest first."))
records_ui.require_records_access()
store = records_ui.store()

c1, c2, c3 = st.columns([2, 1, 1])
statuses = c1.multiselect(_("Status"), options=list(STATUSES), default=["new", "reviewed", "referred"],
                          format_func=lambda s: words(STATUS_WORDS, s), key="queue:status")
since = c2.date_input(_("Saved from"), value=None, key="queue:since")
until = c3.date_input(_("Saved until"), value=None, key="queue:until")
filters = {"status": statuses or None, "since": since, "until": until}
total = records_ui.read_or_stop(lambda: store.queue_count(**filters))
if not total:
    st.info(_("No saved record matches."), icon=":material/inbox:")
    st.stop()
# one page at a time: the details of each row (pain, red flags) are read per record
pages = max(1, -(-total // QUEUE_PAGE))
page = (st.number_input(_("Page"), min_value=1, max_value=pages, value=1, step=1,
                        key="queue:page") if pages > 1 else 1)
first = (min(page, pages) - 1) * QUEUE_PAGE
rows = records_ui.read_or_stop(lambda: store.queue(**filters, limit=QUEUE_PAGE, offset=first))
st.caption(_("Records {first} to {last} of {total}, most urgent first.", first=first + 1,
             last=first + len(rows), total=total))

details = records_ui.queue_details(store, [r.record_id for r in rows])
st.dataframe(pd.DataFrame([{
    _("record"): r.record_id, _("triage"): LEVEL_WORDS[r.triage],
    _("red flags"): details[r.record_id].flags, _("pain now / worst"): details[r.record_id].pain,
    _("saved"): r.created_at.strftime("%Y-%m-%d %H:%M"), _("status"): words(STATUS_WORDS, r.status),
    _("kind"): words(KIND_WORDS, r.kind), _("person"): r.person,
} for r in rows]), hide_index=True, column_config={
    _("red flags"): st.column_config.TextColumn(width="medium",
                                             help=_("The red flags of the record, in words"))})

choices = {r.record_id: f"#{r.record_id} - {LEVEL_WORDS[r.triage]} - {r.person} - "
                        f"{r.created_at:%Y-%m-%d} ({words(KIND_WORDS, r.kind)}, "
                        f"{words(STATUS_WORDS, r.status)})" for r in rows}
picked = st.selectbox(_("Open a record"), options=list(choices), format_func=choices.__getitem__,
                      index=None, placeholder=_("Choose a record"), key="queue:open")
if picked is None:
    st.stop()
record = records_ui.read_or_stop(lambda: store.get(picked))

st.header(_("Record {number}: {kind}, {person}", number=record.id,
            kind=words(KIND_WORDS, record.kind),
            person=quoted(record.person)))
st.caption(_("Saved {when} UTC, {mode} mode", when=record.created_at.strftime("%Y-%m-%d %H:%M"),
             mode=words(MODE_WORDS, record.mode))
           + (_(", by {who}", who=md(record.made_by)) if record.made_by else "")
           + (_(", follows record {number}", number=record.follows) if record.follows else "")
           + _("; status {status}; hipscreen {version}, knowledge base {fingerprint}",
               status=words(STATUS_WORDS, record.status), version=record.hipscreen_version,
               fingerprint=record.knowledge_fingerprint))
try:
    model = record.model()
except ValidationError:
    st.warning(_("This record was written by another hipscreen version in a shape this one "
                 "cannot draw; here it is as saved."))
    st.json(record.result, expanded=False)
    model = None

if isinstance(model, Review):
    widgets.triage_banner(model.triage, compact=True, clinician=True)
    for note in model.notes:
        st.warning(md(note))
    for d in model.decisions:
        st.markdown(f"- **{md(d.name)} ({side_name(d.side)}): {DECISION_WORDS[d.decision]}.** "
                    f"{md(d.text)} " + _("(rules: {rules})", rules=", ".join(d.rules)))
        with st.expander(_("Reasoning: {drill}", drill=md(d.name))):
            st.markdown(how_markdown(decision_how(model, d.drill)))
    st.markdown(_("**Updated plan:**") + " " + (", ".join(f"{p.name} ({side_name(p.side)})"
                                                          for p in model.plan) or _("no drills")))
    st.subheader(_("Note for the record"))
    st.caption(_("Ready to paste into a clinical record: the copy button is at the top right."))
    st.code(review_text(model), language=None, wrap_lines=True)
elif model is not None:
    widgets.triage_banner(model.triage, compact=True, clinician=True)
    found = "; ".join(f"{d.label} ({side_name(d.side)}, {_(d.confidence)}, "
                      f"CF {d.certainty:.2f})" for d in model.deficits) or _("none")
    st.markdown(_("**Deficits:** {found}  \n**Plan:** {drills}", found=found, drills=", ".join(
        f"{p.name} ({side_name(p.side)})" for p in model.plan) or _("no drills")))
    st.subheader(_("Note for the record"))
    st.caption(_("Ready to paste into a clinical record: the copy button is at the top right."))
    st.code(note_to_paste(model), language=None, wrap_lines=True)
    with st.expander(_("The plan, drill by drill")):
        widgets.plan_section(model, clinician=True, heading=st.subheader)
    with st.expander(_("Tests not done")):
        st.markdown("\n".join(f"- {s.label}" for s in model.skipped_tests) or _("All done."))
    st.subheader(_("Reasoning"))
    for conclusion, text in conclusions(model):
        with st.expander(text):
            st.markdown(how_markdown(how(model, conclusion), clinician=True))

st.subheader(_("Status"))
with st.form("status"):
    c1, c2, c3 = st.columns([1, 1, 2])
    new_status = c1.selectbox(_("New status"), options=list(STATUSES),
                              format_func=lambda s: words(STATUS_WORDS, s),
                              index=STATUSES.index(record.status), key="queue:new_status")
    initials = c2.text_input(_("Your initials"), max_chars=10, key="queue:status_by")
    note = c3.text_input(_("Note (optional)"), max_chars=200, key="queue:status_note")
    if st.form_submit_button(_("Change status")):
        try:
            store.set_status(record.id, new_status, by=initials or None, note=note or None)
        except (RecordError, DatabaseError) as exc:
            records_ui.show_problem(exc)
        else:
            st.success(_("Record {number}: status {status} (logged).", number=record.id,
                         status=words(STATUS_WORDS, new_status)))

if record.kind in ("screening", "revision") and model is not None:
    st.subheader(_("Add objective tests and re-screen"))
    st.caption(_("Saved as a new record that follows this one, with your initials; this record "
                 "is not changed.") + " " + measured_ir_rule_words())
    movement = model.intake.movement
    with st.form("rescreen"):
        columns = st.columns(4)
        chosen = {}
        for index, name in enumerate(SIDE_TESTS):
            current = getattr(movement, name)
            options = movement_options(name)
            chosen[name] = columns[index % 4].selectbox(
                CLINICIAN_MOVEMENT_LABELS[name], options=options,
                index=options.index(current if current is not None else NOT_TESTED),
                format_func=SIDE_WORDS.__getitem__, key=f"queue:rs:{name}")
        degrees = movement.hip_ir_degrees
        c1, c2, c3, c4 = st.columns(4)
        left = c1.number_input(_("Left hip IR (degrees)"), 0, 90, degrees.left if degrees else None,
                               key="queue:rs:ir_left")
        right = c2.number_input(_("Right hip IR (degrees)"), 0, 90, degrees.right if degrees else None,
                                key="queue:rs:ir_right")
        by = c3.text_input(_("Your initials"), max_chars=10, key="queue:rs:by")
        status = c4.selectbox(_("Status of both records"), options=list(STATUSES),
                              format_func=lambda s: words(STATUS_WORDS, s),
                              index=STATUSES.index("reviewed"), key="queue:rs:status")
        if st.form_submit_button(_("Re-screen and save as a revision"), type="primary"):
            data = model.intake.model_dump()
            data["mode"] = "clinician"
            for name, value in chosen.items():
                data["movement"][name] = None if value == NOT_TESTED else value
            if (left is None) != (right is None):
                st.error(_("Give the IR angle for both hips, or neither."))
                st.stop()
            data["movement"]["hip_ir_degrees"] = (None if left is None
                                                  else {"left": int(left), "right": int(right)})
            try:
                result = screen(Intake.model_validate(data))
                new_id = store.save_revision(record.id, result, made_by=by, status=status)
            except ValidationError as exc:
                st.error(md("; ".join(f"{p.field}: {p.text}" for p in field_problems(exc))))
            except (RecordError, DatabaseError) as exc:
                records_ui.show_problem(exc)
            else:
                st.success(_("Saved revision {new} (follows record {number}): triage {level}.",
                             new=new_id, number=record.id,
                             level=LEVEL_WORDS[result.triage.level]))

with st.expander(_("History of this record (status changes)")):
    log = records_ui.read_or_stop(lambda: store.events(record.id))
    if log:  # a table: notes and reasons are the clinic's own words, shown as plain text
        st.dataframe(pd.DataFrame([{
            _("when"): f"{e.at:%Y-%m-%d %H:%M}", _("what"): e.action, _("by"): e.by or "-",
            _("details"): "; ".join(f"{k}: {v}" for k, v in (e.detail or {}).items()) or "-",
        } for e in log]), hide_index=True)
    else:
        st.write(_("No change yet."))

with st.expander(_("Delete this record")):
    st.write(_("Deleting removes this record and its content for good. The deletion is logged "
               "(who, when, which record, why); records that follow it keep their own content."))
    with st.form("delete"):
        c1, c2 = st.columns([1, 3])
        by = c1.text_input(_("Your initials"), max_chars=10, key="queue:del_by")
        reason = c2.text_input(_("Why"), max_chars=200, key="queue:del_reason")
        sure = st.checkbox(_("Yes, delete record {number} for good", number=record.id),
                           key="queue:del_sure")
        if st.form_submit_button(_("Delete")):
            if not sure or not by:
                st.error(_("Give your initials and tick the box to confirm first."))
            else:
                try:
                    store.delete(record.id, by=by or None, reason=reason or None)
                except (RecordError, DatabaseError) as exc:
                    records_ui.show_problem(exc)
                else:
                    st.session_state.pop("queue:open", None)
                    st.success(_("Record {number} deleted (logged).", number=record.id))
                    st.rerun()

