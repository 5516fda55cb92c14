"""Input that lies or attacks: every reader refuses it with exit 2 and one clear line, quickly,
and never hides a red flag (issue "Input that lies or attacks")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipscreen.batch import read_table, screen_file, screen_frame
from hipscreen.cases import run_cases
from hipscreen.cli import main
from hipscreen.documents import MAX_DEPTH, InputError, load_json, load_yaml

from .strategies import intakes

CASE = Path(__file__).parents[1] / "cases" / "runner-right-shift.yaml"


def screen_text(tmp_path: Path, capsys, text: str, name: str = "intake.yaml") -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code = main(["screen", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def refused(code: int, out: str, err: str, *needles: str) -> None:
    """Exit 2, nothing on stdout, one short reason per problem, no traceback."""
    assert code == 2, (code, out[:200], err[:500])
    assert out == ""
    assert "Traceback" not in err
    assert all(len(line) < 400 for line in err.splitlines()), err[:1000]
    for needle in needles:
        assert needle in err, (needle, err)


# -- 1. a duplicated key never wins silently ---------------------------------------------------
@pytest.mark.parametrize(("text", "key", "line"), [
    ("age: 34\nsafety: {saddle_numbness: true}\nsafety: {pregnant: true}\n"
     "movement: {hip_shift: left}\n", "safety", "line 3"),
    ("age: 34\nsafety: {saddle_numbness: true, saddle_numbness: false}\n", "saddle_numbness",
     "line 2"),
    ('{"age": 34, "safety": {"saddle_numbness": true}, "safety": {}}', "safety", "line 1"),
    ("age: 34\nage: 35\n", "age", "line 2"),
    ("age: 34\nmovement:\n  hip_ir_degrees: {left: 20, right: 40, left: 40}\n", "left", "line 3"),
])
def test_a_duplicated_key_is_refused_naming_the_key_and_line(tmp_path, capsys, text, key, line):
    refused(*screen_text(tmp_path, capsys, text), f"duplicate key '{key}'", line, "intake.yaml")


def test_a_merge_key_cannot_override_a_red_flag(tmp_path, capsys):
    text = "age: 34\nsafety: {<<: {saddle_numbness: true}, saddle_numbness: false}\n"
    refused(*screen_text(tmp_path, capsys, text), "merge key")


def test_a_case_file_with_two_intakes_is_invalid(tmp_path):
    text = CASE.read_text(encoding="utf-8")
    doubled = text.replace("intake:", "intake:\n  age: 40\n  safety: {saddle_numbness: true}\n"
                                      "intake:", 1)
    (tmp_path / "runner-right-shift.yaml").write_text(doubled, encoding="utf-8")
    report = run_cases([tmp_path])
    [case] = report.cases
    assert case.status == "invalid" and report.summary.exit_code == 2
    assert "duplicate key 'intake'" in case.errors[0]


def test_a_jsonl_row_with_one_answer_twice_is_a_row_error_and_the_others_are_screened(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join([
        '{"id": "dup", "age": 40, "safety.saddle_numbness": true, '
        '"safety": {"saddle_numbness": false}}',
        '{"id": "dup-literal", "age": 40, "safety.saddle_numbness": true, '
        '"safety.saddle_numbness": false}',
        '{"id": "ok", "age": 40, "safety": {"saddle_numbness": true}}']) + "\n")
    out = screen_frame(read_table(path))
    assert out["id"].tolist() == ["dup", "", "ok"]  # the literal duplicate could not be read
    assert "safety.saddle_numbness: given twice" in out.loc[0, "error"]
    assert "duplicate key 'safety.saddle_numbness'" in out.loc[1, "error"]
    assert "line 2" in out.loc[1, "error"]
    assert (out.loc[2, "triage"], out.loc[2, "error"]) == ("emergency", "")
    # an answer given twice counts as neither: not asked (never no), beside the error
    assert (out.loc[0, "triage"], out.loc[0, "red_flags"]) == ("clinician_review",
                                                               "safety_not_asked")


KEYED_LEVELS = ("", "safety", "symptoms", "movement", "drill_response")


def _pairs_json(value) -> str:
    """JSON text from nested lists of (key, value) pairs, so a key can be written twice."""
    if isinstance(value, list) and all(isinstance(p, tuple) for p in value) and value:
        return "{" + ", ".join(f"{json.dumps(k)}: {_pairs_json(v)}" for k, v in value) + "}"
    if isinstance(value, dict):
        return _pairs_json(list(value.items()))
    return json.dumps(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(intake=intakes, level=st.sampled_from(KEYED_LEVELS), data=st.data(),
       as_case=st.booleans())
def test_duplicated_keys_at_any_level_never_give_a_result(tmp_path_factory, intake, level, data,
                                                          as_case):
    """Whichever mapping holds the duplicate (top level, a group, a case file around it), and
    whichever of the two values would have won, there is never a result: no red flag can be
    hidden by a later key."""
    intake = {**intake, "safety": {**intake.get("safety", {}), "saddle_numbness": True}}
    holder = intake if not level else dict(intake.get(level) or {})
    keys = list(holder) or ["saddle_numbness" if level == "safety" else "age"]
    key = data.draw(st.sampled_from(keys))
    pairs = list(holder.items()) or [(key, holder.get(key, False))]
    other = data.draw(st.sampled_from([False, True, 0, "none", [], None]))
    position = data.draw(st.integers(0, len(pairs)))
    pairs.insert(position, (key, other))
    doc = [(k, v) for k, v in intake.items()] if level else pairs
    if level:
        doc = [(k, pairs if k == level else v) for k, v in intake.items()]
        if level not in intake:
            doc.append((level, pairs))
    folder = tmp_path_factory.mktemp("dup")
    if as_case:
        case = [("id", "dup"), ("intake", doc), ("expect", {"triage": "emergency"})]
        (folder / "dup.yaml").write_text(_pairs_json(case))
        report = run_cases([folder])
        assert [c.status for c in report.cases] == ["invalid"]
        assert "duplicate key" in report.cases[0].errors[0]
    else:
        path = folder / "intake.json"
        path.write_text(_pairs_json(doc))
        with pytest.raises(InputError, match="duplicate key"):
            load_yaml(path.read_text(), str(path))


# -- 2-4. aliases, depth, size, long numbers: bounded, and each a one-line reason ----------------
BILLION_LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    + ["age: *i"])


@pytest.mark.parametrize(("name", "text", "needle"), [
    ("laughs", BILLION_LAUGHS, "not accepted"),
    ("alias-only", "age: 34\nsafety: &s {pregnant: true}\n", "anchor (&s)"),
    ("tag", "age: !!python/object/apply:os.system [echo hi]\n", "explicit tag"),
    ("set-tag", "age: 34\nactivities: !!set {running}\n", "explicit tag"),
    ("deep-flow", "age: " + "[" * 5000 + "]" * 5000, f"more than {MAX_DEPTH} levels"),
    ("deep-block", "".join(f"{'  ' * i}k:\n" for i in range(200)), f"more than {MAX_DEPTH} levels"),
    ("long-age", "age: " + "9" * 100_000, "a number of 100,000 characters"),
    ("two-docs", "age: 34\n---\nage: 35\n", "a second document"),
    ("key-is-list", "? [age]\n: 34\n", "used as a key"),
])
def test_hostile_yaml_is_refused_with_one_line(tmp_path, capsys, name, text, needle):
    start = time.perf_counter()
    refused(*screen_text(tmp_path, capsys, text), needle)
    assert time.perf_counter() - start < 5


def test_a_huge_value_is_refused_and_never_echoed_whole(tmp_path, capsys):
    code, out, err = screen_text(tmp_path, capsys, "age: 34\nsex: " + "x" * 900_000 + "\n")
    refused(code, out, err, "field 'sex'")
    assert len(err) < 600
    code, out, err = screen_text(tmp_path, capsys, "age: '" + "x" * 2_000_000 + "'\n")
    refused(code, out, err, "larger than 1,000,000 bytes", "--max-bytes")
    code, out, err = screen_text(tmp_path, capsys, "age: [" + "1," * 200_000 + "1]\n")
    refused(code, out, err, "more than 10,000 values")


def test_the_size_limit_is_a_flag(tmp_path, capsys):
    text = "age: 34\nsex: female\n" + "# padding\n" * 200
    (tmp_path / "i.yaml").write_text(text)
    assert main(["screen", str(tmp_path / "i.yaml"), "--max-bytes", "100"]) == 2
    assert "larger than 100 bytes" in capsys.readouterr().err
    assert main(["screen", str(tmp_path / "i.yaml"), "--max-bytes", "5000"]) == 0


# -- 5. YAML 1.1 surprises are errors, not other numbers -----------------------------------------
@pytest.mark.parametrize(("answer", "needle"), [
    ("age: 042", "'042' is not a plain decimal number"),
    ("age: 0x22", "'0x22' is not a plain decimal number"),
    ("age: 0o42", "'0o42' is not a plain decimal number"),
    ("age: 1_000", "'1_000' is not a plain decimal number"),
    ("age: 1:10", "field 'age': Input should be a valid integer"),
    ("age: 34.0", "field 'age': Input should be a valid integer"),
    ("age: 34\nsymptoms: {pain_worst_week: 010}", "'010' is not a plain decimal number"),
    ("age: 34\nsymptoms: {pain_worst_week: true}", "field 'symptoms.pain_worst_week'"),
    ("age: 34\nsafety: {saddle_numbness: 1}", "field 'safety.saddle_numbness'"),
    ("age: 34\nsafety: {saddle_numbness: yes}", "field 'safety.saddle_numbness'"),
    ("age: 34\nsafety: {saddle_numbness: 'true'}", "field 'safety.saddle_numbness'"),
    ("age: .inf", "'.inf' is not a plain decimal number"),
])
def test_numbers_and_yes_no_are_read_as_written_or_refused(tmp_path, capsys, answer, needle):
    refused(*screen_text(tmp_path, capsys, answer + "\n"), needle)


# -- 6. contradictions --------------------------------------------------------------------------
def test_pain_now_above_the_worst_of_the_week_is_refused(tmp_path, capsys):
    text = "age: 34\nsymptoms: {pain_now: 10, pain_worst_week: 0}\n"
    refused(*screen_text(tmp_path, capsys, text), "field 'symptoms.pain_worst_week'",
            "cannot be less than the pain now (10)")
    code, _, _ = screen_text(tmp_path, capsys, "age: 34\nsymptoms: {pain_now: 10}\n")
    assert code == 2  # left out, the worst of the week would read 0: refused, not guessed


# -- 7. batch -----------------------------------------------------------------------------------
def test_jsonl_bad_lines_are_row_errors_in_place_and_good_rows_are_screened(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes("\ufeff".encode() + b"\n".join([
        b'{"id": "a", "age": 40, "safety": {}}',
        b'{"id": "b", "age": ',                       # broken JSON
        b'[1, 2]',                                    # not an object
        b'{"id": "c", "age": 41, "safety": null}',    # null group: not given, so not asked
        b'{"id": "d", "age": {"years": 41}}',         # an object where a value goes
        b'{"id": "e", "age": 42, "safety": {"pregnant": 1.0}}',
        b'{"id": "f", "age": 43, "safety": {"pregnant": 1}}',
        b'{"age": 44, "safety": {}}',                 # no id in a table of ids
        b'{"id": "g", "age": NaN}',
        b'{"id": "h", "age": 45, "colour": "red"}',  # unknown key: this row's error only
    ]) + b"\n")
    out = screen_frame(read_table(path)).set_index(pd.RangeIndex(10))
    assert out["id"].tolist() == ["a", "", "", "c", "d", "e", "f", "", "", "h"]
    assert out.loc[9, "error"] == "unknown column 'colour' (not an intake answer)"
    errors = out["error"].tolist()
    assert errors[0] == errors[3] == errors[6] == errors[7] == ""
    assert errors[1].startswith("line 2: not valid JSON")
    assert errors[2] == "line 3: expected a JSON object; got [1, 2]"
    assert errors[4].startswith("age: expected a whole number 8..110; got an object")
    assert errors[5].startswith("safety.pregnant: expected true or false")
    assert errors[8] == "line 9: NaN is not a number; expected a plain decimal number"
    assert out.loc[3, "triage"] == "clinician_review"  # not asked is never self-care
    assert out.loc[3, "red_flags"] == "safety_not_asked"
    assert out.loc[6, "triage"] == "self_care" and out.loc[0, "triage"] == "self_care"
    # a bad safety answer is not asked, beside its error; a line that could not be read has none
    assert (out.loc[5, "triage"], out.loc[5, "red_flags"]) == ("clinician_review",
                                                               "safety_not_asked")
    assert (out.loc[[1, 2, 8], "triage"] == "").all()


def test_csv_and_jsonl_agree_on_yes_no_numbers(tmp_path):
    (tmp_path / "in.csv").write_text("age,safety.pregnant\n40,1.0\n40,1\n")
    (tmp_path / "in.jsonl").write_text('{"age": 40, "safety.pregnant": 1.0}\n'
                                       '{"age": 40, "safety.pregnant": 1}\n')
    csv_errors = screen_frame(read_table(tmp_path / "in.csv"))["error"].tolist()
    jsonl_errors = screen_frame(read_table(tmp_path / "in.jsonl"))["error"].tolist()
    assert [bool(e) for e in csv_errors] == [bool(e) for e in jsonl_errors] == [True, False]


def test_an_unwritable_output_fails_before_any_row_is_screened(tmp_path, monkeypatch):
    import hipscreen.batch as batch

    (tmp_path / "in.csv").write_text("age\n40\n41\n")
    calls = []
    monkeypatch.setattr(batch, "screen", lambda *a, **k: calls.append(1))
    with pytest.raises(batch.BatchInputError, match="cannot write the output"):
        screen_file(tmp_path / "in.csv", tmp_path / "no-such-folder" / "out.csv", jobs=1,
                    progress=False)
    assert calls == []


def test_ids_that_look_like_formulas_are_written_inert(tmp_path):
    (tmp_path / "in.csv").write_text('id,age\n"=HYPERLINK(""http://x"",""y"")",40\n+1,41\n@a,42\n')
    screen_file(tmp_path / "in.csv", tmp_path / "out.csv", jobs=1, progress=False)
    ids = pd.read_csv(tmp_path / "out.csv", dtype=str)["id"].tolist()
    assert ids == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1", "'@a"]


def test_batch_cells_with_huge_numbers_or_lists_are_row_errors(tmp_path):
    (tmp_path / "in.csv").write_text(
        "age,activities\n" + "9" * 100_000 + ",\n40," + ";".join(["running"] * 2_000_000) + "\n41,\n")
    start = time.perf_counter()
    out = screen_frame(read_table(tmp_path / "in.csv"))
    assert time.perf_counter() - start < 10
    assert out["error"].str.len().max() < 400
    assert out.loc[0, "error"].startswith("age: expected a whole number 8..110; got '9999")
    assert out.loc[1, "error"].startswith("activities: expected values separated by ';'")
    assert out.loc[2, "error"] == ""


def test_batch_command_with_a_broken_line_exits_1_not_2(tmp_path, capsys):
    (tmp_path / "in.jsonl").write_text('{"age": 40}\n{"age": \n')
    assert main(["batch", str(tmp_path / "in.jsonl"), "-o", str(tmp_path / "out.csv"),
                 "--jobs", "1"]) == 1
    assert "screened 1 of 2 rows" in capsys.readouterr().out


# -- 8. case files whose expectation can never hold ----------------------------------------------
def test_a_case_expecting_drills_at_urgent_is_invalid_with_the_reason(tmp_path):
    text = CASE.read_text(encoding="utf-8").replace("triage: self_care", "triage: urgent")
    (tmp_path / "runner-right-shift.yaml").write_text(text, encoding="utf-8")
    [case] = run_cases([tmp_path]).cases
    assert case.status == "invalid"
    assert "no drill is ever planned at urgent" in case.errors[0]


def test_one_hostile_case_file_is_invalid_and_the_others_still_run(tmp_path):
    (tmp_path / "runner-right-shift.yaml").write_text(CASE.read_text(encoding="utf-8"))
    (tmp_path / "laughs.yaml").write_text(BILLION_LAUGHS)
    (tmp_path / "deep.yaml").write_text("id: " + "[" * 50_000 + "]" * 50_000)
    (tmp_path / "long.yaml").write_text("id: long\nintake: {age: " + "9" * 100_000 + "}\n")
    by_id = {c.id: c.status for c in run_cases([tmp_path]).cases}
    assert by_id == {"runner-right-shift": "pass", "laughs": "invalid", "deep": "invalid",
                     "long": "invalid"}


# -- fuzz: random bytes and random structures only ever give exit 0 or 2 -------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["age", "safety", "symptoms", "movement", "mode", "pain_now",
                         "saddle_numbness", "hip_shift", "x", "resourceType", "item", "linkId",
                         "answer", "status"]) | st.text(max_size=8),
        inner, max_size=5),
    max_leaves=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=300) | JSON_VALUES.map(lambda v: json.dumps(v).encode())
       | st.text(alphabet="ab: -[]{}&*!<>'\"\n\t#?,.0123456789", max_size=200).map(str.encode)
       | JSON_VALUES.map(lambda v: json.dumps({"resourceType": "QuestionnaireResponse",
                                               "status": "completed", "item": v}).encode()))
def test_fuzzed_input_only_ever_exits_0_or_2(tmp_path_factory, capsys, blob):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "f.yaml").write_bytes(blob)
    assert main(["screen", str(folder / "f.yaml")]) in (0, 2)
    assert main(["cases", str(folder / "f.yaml"), "--no-coverage"]) in (0, 1, 2)
    (folder / "f.jsonl").write_bytes(blob)
    assert main(["batch", str(folder / "f.jsonl"), "-o", str(folder / "o.csv"), "--jobs", "1"]) \
        in (0, 1, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_json_rules_match_the_yaml_rules():
    for text, needle in [('{"a": 1, "a": 2}', "duplicate key 'a'"),
                         ('{"a": Infinity}', "Infinity is not a number"),
                         ('{"a": ' + "1" * 30 + "}", "a number of 30 characters"),
                         ("[" * 100 + "]" * 100, f"more than {MAX_DEPTH} levels")]:
        with pytest.raises(InputError, match=needle.replace("(", r"\(")):
            load_json(text, "row")


# -- the whole program: bounded time and memory, no traceback, a closed pipe is fine --------------
def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hipscreen.cli", *args],
                          capture_output=True, text=True, timeout=60, **kwargs)


# A fresh interpreter whose only child is the command, so its children's peak memory is the
# command's own (this test process has had other children: the app server, the browser).
MEASURED = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=60)
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
sys.stdout.write(f"{done.returncode}\\n{peak_mb}\\n{done.stderr}")
"""


def test_hostile_files_as_whole_processes_stay_within_10_s_and_500_mb(tmp_path):
    files = {
        "laughs.yaml": BILLION_LAUGHS,
        "deep.yaml": "[" * 100_000 + "]" * 100_000,
        "long-number.yaml": "age: " + "7" * 100_000,
        "big-list.yaml": "age: [" + "0," * 490_000 + "0]",
        "big-string.json": json.dumps({"age": 34, "sex": "x" * 20_000_000}),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", MEASURED, sys.executable, "-m",
                               "hipscreen.cli", "screen", str(tmp_path / name)],
                              capture_output=True, text=True, timeout=120)
        seconds = time.perf_counter() - start
        code, peak_mb, stderr = done.stdout.split("\n", 2)
        assert int(code) == 2, (name, stderr[-500:])
        assert "Traceback" not in stderr and len(stderr) < 500, (name, stderr)
        assert seconds < 10, (name, seconds)
        assert float(peak_mb) < 500, (name, peak_mb)


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    intake = tmp_path / "i.yaml"
    intake.write_text("age: 34\nmovement: {hip_shift: right}\n")
    env = {**os.environ, "PYTHONUNBUFFERED": "0"}
    pipe = subprocess.run(
        f"{sys.executable} -m hipscreen.cli screen {intake} --format json | head -c 10",
        shell=True, capture_output=True, text=True, timeout=60, env=env,
        executable="/bin/bash")
    assert pipe.stdout == '{\n  "discl'
    assert "Traceback" not in pipe.stderr and "BrokenPipe" not in pipe.stderr, pipe.stderr
