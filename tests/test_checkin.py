"""The CheckIn model is as strict as the intake, and `hipscreen checkin` reads it through the one
loader: bad input exits 2 naming the field, and nothing is saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from hipscreen.cli import main
from hipscreen.documents import describe_validation_error
from hipscreen.knowledge.checkin import CheckIn

ROOT = Path(__file__).resolve().parents[1]
INTAKE = {"safety": {}, "age": 41, "activities": ["lifting"],  # safety: {} = asked, nothing ticked
          "symptoms": {"pain_now": 2, "pain_worst_week": 4, "locations": ["low_back_central"],
                       "worse_with": ["bending_lifting"]},
          "movement": {"hinge_faults": ["back_rounds"]}}
GOOD = {"date": "2026-12-09", "safety": {}, "pain_now": 2, "pain_worst_week": 4,
        "psfs": {"deadlift": 5},
        "drills": {"single_leg_hip_hinge": {"sessions": 9, "pain_during": 6,
                                            "settled_next_morning": True}}}


def _bad(change: dict) -> dict:
    data = json.loads(json.dumps(GOOD))
    for path, value in change.items():
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[part]
        if value is KeyError:
            del node[leaf]
        else:
            node[leaf] = value
    return data


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"colour": "red"}, "colour", "unknown key"),
    ({"safety": KeyError}, "safety", "required but missing"),
    ({"safety.saddle_numbness": "yes"}, "safety.saddle_numbness", "valid boolean"),
    ({"safety.saddle_numbness": 1}, "safety.saddle_numbness", "valid boolean"),
    ({"pain_now": 2.0}, "pain_now", "valid integer"),
    ({"pain_now": True}, "pain_now", "valid integer"),
    ({"pain_worst_week": 11}, "pain_worst_week", "less than or equal to 10"),
    ({"pain_worst_week": 1}, "pain_worst_week", "cannot be less than the pain now"),
    ({"psfs": {"a": 1, "b": 2, "c": 3, "d": 4}}, "psfs", "at most 3 activities"),
    ({"psfs": {"Deadlift": 1, "deadlift ": 2}}, "psfs", "named twice"),
    ({"psfs": {"deadlift": 11}}, "psfs.deadlift", "less than or equal to 10"),
    ({"drills.single_leg_hip_hinge.felt": ["sore"]}, "drills.single_leg_hip_hinge.felt.0", "low_back_pinch"),
    ({"drills.single_leg_hip_hinge.sessions": 0}, "drills.single_leg_hip_hinge.sessions",
     "greater than or equal to 1"),
    ({"drills.single_leg_hip_hinge.settled_next_morning": KeyError},
     "drills.single_leg_hip_hinge.settled_next_morning", "required"),
    ({"drills.cartwheel": {"sessions": 1, "pain_during": 0, "settled_next_morning": True}},
     "drills.cartwheel.[key]", "single_leg_stability"),
    ({"date": "9 December"}, "date", "YYYY-MM-DD"),
])
def test_a_bad_check_in_names_the_field(change, field, words):
    with pytest.raises(ValidationError) as caught:
        CheckIn.model_validate(_bad(change))
    text = describe_validation_error(caught.value, "checkin.yaml", CheckIn)
    assert f"field '{field}'" in text and words in text, text


def test_a_good_check_in_reads_and_keeps_its_names():
    checkin = CheckIn.model_validate(_bad({"psfs": {"  running   5 km ": 6}}))
    assert checkin.psfs == {"running 5 km": 6}
    assert str(checkin.date) == "2026-12-09"
    assert CheckIn.model_validate({"safety": {}, "pain_now": 0, "pain_worst_week": 0}).date is None


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    intake = tmp_path / "intake.yaml"
    intake.write_text(yaml.safe_dump(INTAKE))
    good = tmp_path / "checkin.yaml"
    good.write_text(yaml.safe_dump(GOOD))
    return {"intake": intake, "good": good, "dir": tmp_path}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("text", "words"), [
    ("safety: {}\nsafety: {saddle_numbness: true}\npain_now: 1\npain_worst_week: 1\n",
     "duplicate key"),
    ("safety: {}\npain_now: 042\npain_worst_week: 5\n", "042"),
    ("safety: &s {}\npain_now: 1\npain_worst_week: 1\n", "anchor"),
    ("- just a list\n", "expected a mapping of check-in fields"),
    ("safety: {}\npain_now: 1\npain_worst_week: 1\ndrills:\n  hip_airplane: {sessions: 3, "
     "pain_during: 2, settled_next_morning: yes}\n", "drills.hip_airplane.settled_next_morning"),
])
def test_checkin_command_refuses_bad_input_with_exit_2_and_saves_nothing(capsys, files, text, words):
    bad = files["dir"] / "bad.yaml"
    bad.write_text(text)
    db = files["dir"] / "records.sqlite3"
    code, out, err = run(capsys, "checkin", bad, "--person", "p-1", "--db", db)
    assert code == 2 and words in err, err
    assert "Traceback" not in err
    assert not db.exists(), "a bad check-in must not create or write the database"


def test_checkin_against_a_previous_intake_needs_no_database(capsys, files, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("HIPSCREEN_DATABASE_URL", raising=False)
    code, out, err = run(capsys, "checkin", files["good"], "--previous", files["intake"],
                         "--format", "json")
    assert code == 0, err
    review = json.loads(out)
    assert [(d["drill"], d["decision"]) for d in review["decisions"]] == [
        ("single_leg_hip_hinge", "regress")]
    assert [p["drill"] for p in review["plan"]] == ["kickstand_hinge"]
    assert review["trace"] and "record_id" not in review
    assert not (tmp_path / "xdg").exists(), "--previous reads and writes no database"


def test_checkin_chains_through_a_previous_result_and_review(capsys, files):
    code, out, _ = run(capsys, "screen", files["intake"], "--format", "json")
    first = files["dir"] / "first.json"
    first.write_text(out)
    code, out, err = run(capsys, "checkin", files["good"], "--previous", first, "--format", "json")
    assert code == 0, err
    second = files["dir"] / "second.json"
    second.write_text(out)
    again = files["dir"] / "again.yaml"
    again.write_text(yaml.safe_dump({"safety": {}, "pain_now": 2, "pain_worst_week": 4,
                                     "psfs": {"deadlift": 2},
                                     "drills": {"kickstand_hinge": {
                                         "sessions": 5, "pain_during": 1,
                                         "settled_next_morning": True, "too_easy": True}}}))
    code, out, err = run(capsys, "checkin", again, "--previous", second, "--format", "text")
    assert code == 0, err
    assert "PSFS 'deadlift': 5 -> 2 (-3) - WORSE" in out
    assert "SEE A CLINICIAN" in out
    # worse by a change that matters: a clinician first, so the too-easy drill is not made harder
    assert "Kickstand hip hinge (both): KEEP" in out
    assert ("Kept at this level until a clinician has seen you: worse since the last record "
            "(PSFS 'deadlift': 5 -> 2 (-3))") in out


def test_checkin_reporting_a_drill_not_in_the_plan_exits_2(capsys, files):
    wrong = files["dir"] / "wrong.yaml"
    wrong.write_text(yaml.safe_dump({**GOOD, "drills": {"hip_airplane": {
        "sessions": 3, "pain_during": 1, "settled_next_morning": True}}}))
    code, _, err = run(capsys, "checkin", wrong, "--previous", files["intake"])
    assert code == 2
    assert "field 'drills.hip_airplane': not in the plan under review" in err
    assert "single_leg_hip_hinge" in err


def test_checkin_why_not_explains_a_decision(capsys, files):
    code, out, err = run(capsys, "checkin", files["good"], "--previous", files["intake"],
                         "--why-not", "progress", "--drill", "single_leg_hip_hinge")
    assert code == 0, err
    assert "was not decided 'progress': the decision was 'regress'" in out
    assert "easy_settled_and_too_easy_progresses_the_drill" in out
    assert "[met]" in out and "[blocked]" in out
