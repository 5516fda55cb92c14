"""The hipscreen command: screen in three formats, why-not, schema, and bad input -> exit 2."""

import json
from pathlib import Path

import pytest
import yaml

from hipscreen.cli import main

GOLDEN = Path(__file__).parent / "data" / "golden_full_intake.json"
FULL_INTAKE = Path(__file__).parent / "data" / "full_intake.yaml"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_has_triage_plan_and_disclaimer(capsys):
    code, out, _ = run(capsys, "screen", str(FULL_INTAKE))
    assert code == 0
    assert "screening aid, not a diagnosis" in out
    assert "Triage" in out and "Plan" in out


def test_markdown_output_is_a_note(capsys):
    code, out, _ = run(capsys, "screen", str(FULL_INTAKE), "--format", "markdown")
    assert code == 0
    assert out.startswith("# hipscreen report")
    assert "## Plan" in out and "not a diagnosis" in out


def test_json_output_matches_the_golden_file(capsys):
    """A change to any conclusion, text or trace of the full intake shows up here. Regenerate
    with: uv run hipscreen screen tests/data/full_intake.yaml --format json >
    tests/data/golden_full_intake.json"""
    code, out, _ = run(capsys, "screen", str(FULL_INTAKE), "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads(GOLDEN.read_text())


def test_why_not_prints_the_explanation(capsys):
    code, out, _ = run(capsys, "screen", str(FULL_INTAKE), "--why-not", "glute_underuse")
    assert code == 0
    assert "hamstring_cramp_suggests_glute_underuse" in out
    assert "not a diagnosis" in out


def test_stdin_is_read_with_dash(capsys, monkeypatch):
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"age": 40, "safety": {}})))
    code, out, _ = run(capsys, "screen", "-", "--format", "json")
    assert code == 0 and json.loads(out)["triage"]["level"] == "self_care"


def test_an_intake_without_a_safety_block_says_the_questions_were_not_asked(capsys, tmp_path):
    path = tmp_path / "intake.yaml"
    path.write_text("age: 40\n")
    code, out, _ = run(capsys, "screen", str(path))
    assert code == 0
    assert "SEE A CLINICIAN" in out and "(self_care)" not in out
    assert "The safety questions were not asked" in out
    assert "no safety question asked" in out
    code, out, _ = run(capsys, "screen", str(path), "--format", "markdown")
    assert "The safety questions were not asked" in out


# -- a red flag always wins (docs/design.md, Safety) -----------------------------------------------------
def test_an_emergency_is_named_before_the_field_errors(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("age: 40\nsafety: {saddle_numbness: true}\n"
                    "symptoms: {pain_now: 5, pain_worst_week: 0}\n")
    code, out, err = run(capsys, "screen", str(path))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert lines[0] == ("hipscreen: EMERGENCY despite the errors below: Go to an emergency "
                        "department now. Do not wait to see if it gets better.")
    assert "cauda_equina" not in err  # the label, not the id
    assert "Possible pressure on the nerves" in lines[1] and "saddle_numbness" in lines[1]
    assert lines[-1].startswith(f"{path}: field 'symptoms.pain_worst_week'")


def test_an_urgent_flag_is_named_despite_a_bad_age(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("age: forty\nsafety: {fever_or_unwell: true}\n")
    code, _, err = run(capsys, "screen", str(path))
    assert code == 2
    assert err.startswith("hipscreen: URGENT despite the errors below: See a doctor today.")
    assert "the age could not be read" in err
    assert "field 'age'" in err


def test_no_red_flag_no_banner(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("age: 40\nsafety: {}\nmovement: {hip_shift: up}\n")
    code, _, err = run(capsys, "screen", str(path))
    assert code == 2 and "despite the errors" not in err
    assert err.startswith("hipscreen: ")
    assert "field 'movement.hip_shift'" in err


def test_a_bad_safety_answer_is_named_as_not_asked_beside_the_error(capsys, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("age: 40\nsafety: {saddle_numbness: 'yes'}\n")
    code, _, err = run(capsys, "screen", str(path))
    assert code == 2
    assert err.startswith("hipscreen: SEE A CLINICIAN despite the errors below: Answer the "
                          "safety questions first.")
    assert "safety questions not asked: saddle_numbness" in err
    assert "field 'safety.saddle_numbness'" in err


@pytest.mark.parametrize(("content", "expected"), [
    ({"age": 40, "colour": "red"}, "field 'colour': unknown key; expected one of: mode, age, sex"),
    ({"age": 200}, "field 'age': Input should be less than or equal to 110"),
    ({"age": "old"}, "field 'age': Input should be a valid integer"),
    ({"age": 40, "movement": {"hip_shift": "up"}},
     "field 'movement.hip_shift': Input should be 'none', 'left' or 'right'"),
    ({"age": 40, "symptoms": {"pain_now": 11}}, "field 'symptoms.pain_now'"),
    ({}, "field 'age': required but missing"),
    ([1, 2], "expected a mapping of intake fields"),
])
def test_bad_intake_exits_2_naming_the_field(capsys, tmp_path, content, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(content))
    code, out, err = run(capsys, "screen", str(path))
    assert code == 2
    assert expected in err and str(path) in err
    assert "Traceback" not in err and out == ""


def test_several_bad_fields_are_all_named(capsys, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"age": 5, "mode": "robot", "symptoms": {"pain_now": -1}}))
    code, _, err = run(capsys, "screen", str(path))
    assert code == 2
    assert "'age'" in err and "'mode'" in err and "'symptoms.pain_now'" in err


def test_unreadable_and_invalid_files_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "screen", str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read" in err
    bad = tmp_path / "broken.yaml"
    bad.write_text("age: [1, 2\n")
    code, _, err = run(capsys, "screen", str(bad))
    assert code == 2 and "not valid YAML" in err and "line 2" in err


def test_unknown_why_not_id_exits_2(capsys):
    code, _, err = run(capsys, "screen", str(FULL_INTAKE), "--why-not", "nonsense")
    assert code == 2 and "unknown id 'nonsense'" in err


def test_schema_is_the_intake_json_schema(capsys):
    code, out, _ = run(capsys, "schema")
    schema = json.loads(out)
    assert code == 0
    assert schema["additionalProperties"] is False
    assert "safety" in schema["properties"] and "age" in schema["required"]


# -- each command imports what it uses (issue 13, "Speed") ----------------------------------------
HEAVY = ("pydantic", "yaml", "ruamel", "pandas", "numpy", "pyarrow", "tqdm", "experta", "streamlit",
         "sqlalchemy", "fhir", "typst")


def _imported(*argv: str) -> set[str]:
    """The heavy packages a whole `hipscreen` process imports for a command."""
    import subprocess
    import sys

    code = ("import sys, runpy\n"
            f"sys.argv = ['hipscreen', *{list(argv)!r}]\n"
            "try:\n"
            "    runpy.run_module('hipscreen.cli', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    return set(done.stderr.strip().splitlines()[-1].split()) if done.stderr.strip() else set()


def test_help_imports_no_model_no_parser_and_no_table():
    assert _imported("--help") == set()


def test_screen_imports_the_model_the_yaml_parser_and_the_engine_only():
    assert _imported("screen", str(FULL_INTAKE)) == {"pydantic", "yaml", "experta"}
