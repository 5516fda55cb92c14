"""The app's record pages with AppTest: an unsaved self-screening writes nothing anywhere; "Save on
this computer"; a check-in reviewed drill by drill and saved; progress charts; the clinic queue
(open, status, revision, delete); and record pages refused off this computer without a login.
On this computer the record pages need a signed-in browser: `app(..., signed_in=True)` here,
the sign-in itself in tests/test_app_access.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from hipscreen import screen
from hipscreen.records import RecordStore

from .app_pages import APP, TIMEOUT, app, shown, texts
from .records_helpers import HINGE, RECORD_PAGES


def press(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def has_button(at: AppTest, key: str) -> bool:
    return any(b.key == key for b in at.button)


def test_an_unsaved_self_screening_writes_nothing_anywhere(db, tmp_path):
    at = app()
    at.number_input(key="self:age").set_value(34).run()
    for _ in range(30):  # every step as it comes, each test skipped, up to the result
        if has_button(at, "submit"):
            break
        at.button(key="skip" if has_button(at, "skip") else "next").click().run()
        assert not at.exception, at.exception
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert at.session_state["result"] is not None
    assert any(h.value == "Save on this computer" for h in at.header)
    assert not db.exists(), "no database file without Save"
    assert not (tmp_path / "xdg").exists(), "nothing in the user data directory either"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_save_on_this_computer_saves_only_when_asked(db):
    result = screen(HINGE)
    RecordStore(db).save_screening(result, person="someone-else")
    at = app("pages/result.py", result, signed_in=True)
    assert RecordStore(db).count() == 1, "showing the result wrote nothing"
    at.text_input(key="save_label").set_value("lifter-1")
    at.text_input(key="save:psfs_name_0").set_value("deadlift")
    at.slider(key="save:psfs_value_0").set_value(6)
    press(at, "Save")
    assert "Saved as record 2 for 'lifter-1'" in texts(at)
    (saved,) = RecordStore(db).history("lifter-1")
    assert saved.summary["psfs"] == {"deadlift": 6}
    at.run()
    assert RecordStore(db).count() == 2, "a rerun does not save again"


def test_a_bad_label_is_refused_in_words(db):
    at = app("pages/result.py", screen(HINGE), signed_in=True)
    at.text_input(key="save_label").set_value("<me>")
    press(at, "Save")
    assert "pseudonymous label" in shown(" ".join(e.value for e in at.error))
    assert not db.exists()


def test_checkin_asks_safety_first_then_reviews_drill_by_drill_and_saves(db):
    RecordStore(db).save_screening(screen(HINGE), person="lifter-1", psfs={"deadlift": 6})
    at = app("pages/checkin.py", signed_in=True)
    at.text_input(key="ci:label").set_value("lifter-1").run()
    assert [h.value for h in at.header][:4] == ["Safety first", "Pain", "Your activities",
                                                "Your drills"]
    at.checkbox(key="ci:tried.single_leg_hip_hinge").check().run()
    at.slider(key="ci:pain_during.single_leg_hip_hinge").set_value(6)
    at.slider(key="ci:psfs_score_0").set_value(3)
    press(at, "Review my check-in")
    page = texts(at)
    assert "Single-leg hip hinge (both): Make it easier." in page
    assert "Worse since the last record: PSFS 'deadlift': 6 -> 3" in page
    assert "What to do: SEE A CLINICIAN" in page
    assert any(s.value.startswith("1. Kickstand hip hinge") for s in at.subheader)
    assert any(e.label.startswith("How was this decided?") for e in at.expander)
    assert RecordStore(db).count() == 1, "nothing saved before the button"
    at.button(key="save_checkin").click().run()
    assert "Saved as record 2." in texts(at)
    assert [h.kind for h in RecordStore(db).history("lifter-1")] == ["screening", "checkin"]


def test_a_red_flag_at_checkin_stops_every_drill_in_the_app(db):
    RecordStore(db).save_screening(screen(HINGE), person="lifter-2")
    at = app("pages/checkin.py", signed_in=True)
    at.text_input(key="ci:label").set_value("lifter-2").run()
    at.checkbox(key="ci:safety.saddle_numbness").check()
    press(at, "Review my check-in")
    assert "What to do: EMERGENCY" in " ".join(e.value for e in at.error)
    assert "Single-leg hip hinge (both): Stop." in texts(at)
    assert not any(s.value.startswith("1. ") for s in at.subheader)


def test_a_red_flag_at_checkin_wins_over_a_contradictory_pain_answer(db):
    RecordStore(db).save_screening(screen(HINGE), person="lifter-4")
    at = app("pages/checkin.py", signed_in=True)
    at.text_input(key="ci:label").set_value("lifter-4").run()
    for name in ("both_legs_pain_or_tingling", "sudden_severe_pain", "psoriasis_history"):
        assert any(c.key == f"ci:safety.{name}" for c in at.checkbox), name
    at.checkbox(key="ci:safety.both_legs_pain_or_tingling").check()
    at.slider(key="ci:pain_now").set_value(6)
    at.slider(key="ci:pain_worst_week").set_value(2)
    press(at, "Review my check-in")
    errors = [shown(e.value) for e in at.error]
    assert errors[0].startswith("**What to do: EMERGENCY"), errors
    assert any("pain_worst_week" in m or "worst pain" in m.lower() for m in errors[1:]), errors
    assert "checkin_review" not in at.session_state


def test_progress_shows_charts_plan_history_and_decisions(db):
    store = RecordStore(db)
    store.save_screening(screen(HINGE), person="lifter-3", psfs={"deadlift": 5})
    from hipscreen.review import review

    done = review({"safety": {}, "pain_now": 1, "pain_worst_week": 3, "psfs": {"deadlift": 7},
                   "drills": {"single_leg_hip_hinge": {"sessions": 9, "pain_during": 1,
                                                       "settled_next_morning": True,
                                                       "too_easy": True}}},
                  store.baseline("lifter-3"))
    store.save_checkin(done, person="lifter-3", follows=1)
    at = app("pages/progress.py", signed_in=True)
    at.text_input(key="progress:label").set_value("lifter-3").run()
    assert not at.exception
    assert [h.value for h in at.header] == ["Pain", "Your activities (PSFS)", "Your plan over time",
                                            "Every decision, with its reason"]
    assert len(at.get("vega_lite_chart")) == 2, "a pain chart and a PSFS chart"
    assert len(at.table) == 1  # a table that wraps: the whole plan is read, never cut off
    assert "Single-leg hip hinge: Progress." in texts(at)


def test_the_clinic_queue_opens_changes_status_revises_and_deletes(db):
    store = RecordStore(db)
    first = store.save_screening(screen(HINGE), person="p-1")
    urgent = store.save_screening(screen({"age": 50, "safety": {"fever_or_unwell": True}}),
                                  person="p-2")
    at = app("pages/queue.py", signed_in=True)
    queue = at.dataframe[0].value
    assert queue["record"].tolist() == [urgent, first]
    # the pain and the red flags of each record, beside its triage
    flag = screen({"age": 50, "safety": {"fever_or_unwell": True}}).triage.red_flags[0].label
    assert flag in queue["red flags"].iloc[0]
    assert queue["red flags"].iloc[1] == "none"
    assert queue["pain now / worst"].tolist() == ["0 / 0", "2 / 4"]
    at.selectbox(key="queue:open").set_value(first).run()
    assert "Record 1: screening, 'p-1'" in [shown(h.value) for h in at.header]
    assert "hipscreen screening note" in at.code[0].value  # a note to paste
    assert any(e.label.startswith("Deficit") or "deficit" in e.label.lower() for e in at.expander)
    # objective tests -> a revision that follows the original, with initials
    at.number_input(key="queue:rs:ir_left").set_value(22)
    at.number_input(key="queue:rs:ir_right").set_value(38)
    at.text_input(key="queue:rs:by").set_value("JS")
    press(at, "Re-screen and save as a revision")
    assert "Saved revision 3 (follows record 1)" in texts(at)
    revision = store.get(3)
    assert (revision.kind, revision.follows, revision.made_by) == ("revision", first, "JS")
    assert revision.input["movement"]["hip_ir_degrees"] == {"left": 22, "right": 38}
    assert store.get(first).status == "reviewed" and store.get(first).kind == "screening"
    # status, logged
    at.selectbox(key="queue:new_status").set_value("referred")
    at.text_input(key="queue:status_by").set_value("JS")
    press(at, "Change status")
    assert store.get(first).status == "referred"
    # delete: refused without the confirmation, then done and logged
    at.text_input(key="queue:del_by").set_value("JS")
    press(at, "Delete")
    assert "tick the box" in shown(" ".join(e.value for e in at.error)).lower()
    assert store.count() == 3
    at.checkbox(key="queue:del_sure").check()
    press(at, "Delete")
    assert store.count() == 2
    assert [e.action for e in store.events(first)] == ["status", "status", "deleted"]


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_record_pages_refuse_off_this_computer_without_a_login(db, served_everywhere, page):
    RecordStore(db).save_screening(screen(HINGE), person="p-1")
    at = app(page)
    (line,) = [e.value for e in at.error]
    assert line.startswith("Records are off: this app is served on 0.0.0.0")
    assert "st.login" in line
    assert not at.text_input and not at.dataframe, "nothing of the page is served"


def test_saving_is_refused_off_this_computer_without_a_login(db, served_everywhere):
    at = app("pages/result.py", screen(HINGE))
    assert any(i.value.startswith("Records are off") for i in at.info)
    assert not any(b.label == "Save" for b in at.button)
    assert not db.exists()


def test_with_a_login_set_up_a_visitor_must_log_in(db, served_everywhere):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.secrets["auth"] = {"redirect_uri": "https://clinic.example/oauth2callback",
                          "cookie_secret": "x" * 32, "client_id": "id", "client_secret": "s",
                          "server_metadata_url": "https://id.example/.well-known/openid-configuration"}
    at.run()
    at.switch_page("pages/queue.py").run()
    assert [e.value for e in at.error] == ["Records need you to log in first."]
    assert [b.label for b in at.button] == ["Log in"]


def test_the_clinic_queue_shows_one_page_at_a_time(db):
    """A long queue is read a page at a time (50 rows): the first page holds the most urgent
    rows, the caption says which rows of how many, and the next page holds the rest."""
    store = RecordStore(db)
    hinge = screen(HINGE)
    urgent = store.save_screening(screen({"age": 50, "safety": {"fever_or_unwell": True}}),
                                  person="p-urgent")
    ids = [store.save_screening(hinge, person=f"p-{i}") for i in range(51)]
    at = app("pages/queue.py", signed_in=True)
    assert at.dataframe[0].value["record"].tolist() == [urgent, *ids[:49]]
    assert "Records 1 to 50 of 52, most urgent first." in [c.value for c in at.caption]
    at.number_input(key="queue:page").set_value(2).run()
    assert at.dataframe[0].value["record"].tolist() == ids[49:]
    assert "Records 51 to 52 of 52, most urgent first." in [c.value for c in at.caption]
