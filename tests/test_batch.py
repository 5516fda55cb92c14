"""Batch screening (issue 5): column scheme, per-row errors, file formats, processes, Dask."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hipscreen.batch import (
    COLUMN_NAMES,
    OUTPUT_COLUMNS,
    SCREEN_FRAME_META,
    BatchInputError,
    RowError,
    intake_from_row,
    read_table,
    row_from_intake,
    screen_file,
    screen_frame,
    template_frame,
    write_table,
    write_template,
)
from hipscreen.knowledge.intake import Intake
from hipscreen.screening import screen
from tests.synth_helpers import generate, generate_frame

GOOD = {"age": "34", "movement.hip_shift": "right", "symptoms.locations": "low_back_right",
        "safety.pregnant": "false"}  # a safety answer: the questions were asked, nothing ticked


def _frame(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), dtype=str).fillna("")


def _leaf_names() -> set[str]:
    """Every answer of a fully filled intake, flattened by pandas, not by the code under test."""
    full = Intake.model_validate(
        {
            "age": 40,
            "sex": "male",
            "movement": {
                "hip_ir_degrees": {"left": 30, "right": 30},
                "hip_shift": "none",
                "hinge_faults": [],
            },
        }
    )
    return set(pd.json_normalize(full.model_dump(), sep=".").columns)


# -- column scheme -----------------------------------------------------------------------------


def test_columns_are_every_intake_answer_by_dotted_path():
    assert set(COLUMN_NAMES) == _leaf_names()
    assert len(COLUMN_NAMES) == len(set(COLUMN_NAMES))
    assert {"movement.hip_ir_degrees.left", "drill_response.low_back_pinch"} <= set(COLUMN_NAMES)


def test_template_has_every_intake_field_and_its_allowed_values(tmp_path):
    template = template_frame()
    assert list(template.columns) == ["id", *COLUMN_NAMES]
    hints = template.iloc[0]
    assert hints["movement.hip_shift"].startswith("none|left|right")
    assert "not tested" in hints["movement.hip_shift"]
    assert hints["symptoms.pain_now"].startswith("0..10")
    assert hints["age"].startswith("8..110")
    assert hints["safety.fever_or_unwell"].startswith("true|false")
    assert hints["activities"].startswith(";-separated: running|lifting|")
    write_template(tmp_path / "t.csv")
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert len(lines) == 2 and lines[0].split(",") == ["id", *COLUMN_NAMES]


def test_template_hint_line_left_in_a_sheet_is_reported_not_screened():
    out = screen_frame(template_frame().astype(str))
    assert "allowed-values line" in out.loc[0, "error"]


# -- rows <-> intakes --------------------------------------------------------------------------


def test_row_round_trip_keeps_every_synthetic_intake():
    for data in generate(150, seed=11):
        intake = Intake.model_validate(data)
        assert intake_from_row(row_from_intake(intake)) == intake


def test_empty_cells_mean_not_given_and_none_means_a_clean_hinge():
    intake = intake_from_row({"age": "30", "movement.hinge_faults": "", "safety.pregnant": ""})
    assert intake.movement.hinge_faults is None  # not tested
    assert intake.safety.pregnant is None  # no safety answer in the row: not asked, never no
    asked = intake_from_row({"age": "30", "safety.fever_or_unwell": "no", "safety.pregnant": ""})
    assert asked.safety.pregnant is False  # the row answers the safety questions: left out = no
    assert intake_from_row({"age": "30", "movement.hinge_faults": "none"}).movement.hinge_faults == ()
    row = row_from_intake(Intake.model_validate({"age": 30, "movement": {"hinge_faults": []}}))
    assert row["movement.hinge_faults"] == "none" and row["movement.hip_shift"] == ""


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("true", True),
        ("YES", True),
        ("1", True),
        (" Yes ", True),
        ("false", False),
        ("No", False),
        ("0", False),
        ("", None),  # the only safety cell, empty: not asked
        ("not asked", None),
        ("Not Asked", None),
    ],
)
def test_booleans_accept_true_false_yes_no_1_0_in_any_case(cell, value):
    assert intake_from_row({"age": "30", "safety.fever_or_unwell": cell}).safety.fever_or_unwell is value


def test_not_asked_in_an_asked_block_and_asked_nothing_ticked_round_trip():
    for data in ({"age": 30}, {"age": 30, "safety": {}},
                 {"age": 30, "safety": {"fever_or_unwell": None, "hip_surgery": None}}):
        intake = Intake.model_validate(data)
        assert intake_from_row(row_from_intake(intake)) == intake
    row = row_from_intake(Intake.model_validate({"age": 30, "safety": {"pregnant": None}}))
    assert row["safety.pregnant"] == "not asked" and row["safety.fever_or_unwell"] == "false"
    assert row_from_intake(Intake.model_validate({"age": 30}))["safety.pregnant"] == ""


def test_lists_are_semicolon_separated():
    intake = intake_from_row(
        {"age": "30", "activities": "running; lifting;", "symptoms.worse_with": "rotation"}
    )
    assert intake.activities == ("running", "lifting")
    assert intake.symptoms.worse_with == ("rotation",)


def test_ir_degrees_on_one_side_only_names_the_missing_column():
    with pytest.raises(RowError) as err:
        intake_from_row({"age": "50", "mode": "clinician", "movement.hip_ir_degrees.left": "22"})
    assert err.value.errors == [
        "movement.hip_ir_degrees.right: missing; expected a whole number 0..90 "
        "(every movement.hip_ir_degrees.* column is needed once one of them is given)"
    ]


def test_every_problem_of_a_row_is_reported_in_column_order():
    with pytest.raises(RowError) as err:
        intake_from_row(
            {
                "age": "5",
                "activities": "running;swimming",
                "movement.hip_shift": "up",
                "safety.fever_or_unwell": "maybe",
            }
        )
    assert err.value.errors == [
        "age: expected a whole number 8..110; got '5'",
        "activities: expected values separated by ';' from running, lifting, golf, crossfit, "
        "field_sports, lifting_kids, desk_work, manual_work; got 'swimming'",
        "safety.fever_or_unwell: expected true or false (or yes/no, 1/0); got 'maybe'",
        "movement.hip_shift: expected one of none, left, right; got 'up'",
    ]


def test_model_level_errors_are_kept():
    with pytest.raises(RowError, match="activities: each value may appear once"):
        intake_from_row({"age": "30", "activities": "golf;golf"})


# -- screen_frame ------------------------------------------------------------------------------


def test_good_and_bad_csv_rows_come_back_in_order_with_named_errors(tmp_path):
    rows = [
        {"id": "ok-1", **GOOD},
        {"id": "bad-enum", **GOOD, "movement.hip_shift": "up"},
        {"id": "bad-age", **GOOD, "age": "140"},
        {"id": "bad-bool", **GOOD, "safety.fever_or_unwell": "maybe"},
        {"id": "ok-2", **GOOD, "safety.fever_or_unwell": "Yes"},
    ]
    write_table(_frame(*rows), tmp_path / "in.csv")
    summary = screen_file(tmp_path / "in.csv", tmp_path / "out.csv", jobs=1, progress=False)
    out = read_table(tmp_path / "out.csv")
    assert list(out.columns) == list(OUTPUT_COLUMNS)
    assert out["id"].tolist() == ["ok-1", "bad-enum", "bad-age", "bad-bool", "ok-2"]
    assert out["error"].tolist() == [
        "",
        "movement.hip_shift: expected one of none, left, right; got 'up'",
        "age: expected a whole number 8..110; got '140'",
        "safety.fever_or_unwell: expected true or false (or yes/no, 1/0); got 'maybe'",
        "",
    ]
    expected = screen(intake_from_row(GOOD))
    assert out.loc[0, "triage"] == expected.triage.level == "self_care"
    assert out.loc[4, "triage"] == "urgent"  # fever: the yes was read
    assert out.loc[0, "drills"] == ";".join(f"{p.drill}:{p.side}" for p in expected.plan)
    assert out.loc[0, "deficits"].split(";")[0].startswith("hip_stability_deficit:right:")
    assert int(out.loc[0, "rules_fired"]) == len(expected.rules_fired) > 0
    assert (out.loc[1:3, "drills"] == "").all()
    assert (out.loc[1:2, ["triage", "red_flags"]] == "").all().all()  # no red flag to salvage
    # a bad safety cell is not asked (never no): the row says so beside its error
    assert (out.loc[3, "triage"], out.loc[3, "red_flags"]) == ("clinician_review",
                                                                "safety_not_asked")
    assert out.loc[4, "red_flags"] == "fever_with_back_pain"
    assert (summary.rows, summary.screened, summary.errors) == (5, 2, 3)
    assert summary.by_triage["urgent"] == 1 and summary.exit_code == 1
    assert summary.errors_by_triage == {"clinician_review": 1}


def test_a_bad_row_carries_its_red_flag_beside_its_error(tmp_path):
    rows = [
        {"id": "ces", **GOOD, "safety.saddle_numbness": "true", "symptoms.pain_now": "5",
         "symptoms.pain_worst_week": "0"},
        {"id": "fever", **GOOD, "safety.fever_or_unwell": "yes", "age": "forty"},
        {"id": "hot-hip", **GOOD, "safety.hot_swollen_hip": "1", "symptoms.weeks": "many"},
        {"id": "fine", **GOOD},
    ]
    write_table(_frame(*rows), tmp_path / "in.csv")
    summary = screen_file(tmp_path / "in.csv", tmp_path / "out.csv", jobs=1, progress=False)
    out = read_table(tmp_path / "out.csv").set_index("id")
    assert out.loc["ces", "triage"] == "emergency" and out.loc["ces", "red_flags"] == "cauda_equina"
    assert out.loc["ces", "action"].startswith("Go to an emergency department now")
    assert out.loc["ces", "error"].startswith("symptoms.pain_worst_week:")
    assert (out.loc["fever", "triage"], out.loc["fever", "red_flags"]) == (
        "urgent", "fever_with_back_pain")
    assert out.loc["fever", "error"].startswith("age:")
    assert out.loc["hot-hip", "triage"] == "emergency"
    assert out.loc["hot-hip", "error"].startswith("symptoms.weeks:")
    assert (out.loc["fine", "error"], out.loc["fine", "red_flags"]) == ("", "")
    assert out.loc[["ces", "fever", "hot-hip"], "drills"].eq("").all()
    assert (out.loc[["ces", "fever", "hot-hip"], "rules_fired"].astype(int) == 0).all()
    assert (summary.rows, summary.errors) == (4, 3)  # no row is lost
    assert summary.errors_by_triage == {"emergency": 2, "urgent": 1}


def test_unknown_column_is_an_error_on_every_row():
    out = screen_frame(_frame({**GOOD, "movment.hip_shift": "left"}, {**GOOD, "movment.hip_shift": ""}))
    assert (
        out["error"].tolist()
        == ["unknown column 'movment.hip_shift' (did you mean 'movement.hip_shift'?)"] * 2
    )
    assert (out["triage"] == "").all()
    flagged = screen_frame(_frame({**GOOD, "safety.hot_swollen_hip": "yes", "colour": "red"}))
    assert flagged.loc[0, "error"] == "unknown column 'colour' (not an intake answer)"
    assert (flagged.loc[0, "triage"], flagged.loc[0, "red_flags"]) == ("emergency",
                                                                        "joint_infection")


def test_row_id_falls_back_to_the_index():
    df = _frame(GOOD, GOOD, GOOD).set_axis([7, 8, 9])
    assert screen_frame(df)["id"].tolist() == ["7", "8", "9"]
    with_ids = _frame({"id": "a", **GOOD}, {"id": "", **GOOD}).set_axis([3, 4])
    # a row without an id in a table of ids gets none: a row number could be another row's id
    assert screen_frame(with_ids)["id"].tolist() == ["a", ""]


def test_output_dtypes_match_the_meta_even_when_empty_or_all_errors():
    meta = SCREEN_FRAME_META.dtypes
    assert screen_frame(_frame(GOOD, {"age": "x"})).dtypes.equals(meta)
    assert screen_frame(_frame({"age": "x"})).dtypes.equals(meta)
    assert screen_frame(pd.DataFrame(columns=["age"], dtype=str)).dtypes.equals(meta)


def test_engine_failure_stays_in_its_row(monkeypatch):
    import hipscreen.batch as batch

    def flaky(intake, **options):
        if intake.age == 66:
            raise RuntimeError("boom")
        return screen(intake, **options)

    monkeypatch.setattr(batch, "screen", flaky)
    out = screen_frame(_frame({**GOOD, "age": "66"}, GOOD))
    assert out["error"].tolist() == ["screening failed: RuntimeError: boom", ""]


# -- files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".jsonl", ".parquet"])
def test_jsonl_and_parquet_round_trip_and_screen_like_csv(tmp_path, ext):
    df = generate_frame(40, seed=5)
    write_table(df, tmp_path / f"in{ext}")
    back = read_table(tmp_path / f"in{ext}")
    pd.testing.assert_frame_equal(back.astype(str), df.astype(str), check_dtype=False)
    write_table(df, tmp_path / "in.csv")
    screen_file(tmp_path / "in.csv", tmp_path / "out.csv", jobs=1, progress=False)
    screen_file(tmp_path / f"in{ext}", tmp_path / f"out{ext}", jobs=1, progress=False)
    from_csv, other = read_table(tmp_path / "out.csv"), read_table(tmp_path / f"out{ext}")
    pd.testing.assert_frame_equal(other.astype(str), from_csv.astype(str), check_dtype=False)


def test_jsonl_accepts_nested_objects_and_json_types(tmp_path):
    lines = [
        {
            "id": 1,
            "age": 30,
            "safety": {"pregnant": True},
            "movement": {"hip_shift": "left", "hip_ir_degrees": {"left": 20, "right": 40}},
        },
        {"id": 2, "age": 41, "activities": ["golf", "running"]},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = screen_frame(read_table(path))
    assert out["error"].tolist() == ["", ""]
    assert out["id"].tolist() == ["1", "2"]
    first = screen(Intake.model_validate({k: v for k, v in lines[0].items() if k != "id"}))
    assert out.loc[0, "triage"] == first.triage.level


def test_screen_file_with_two_processes_equals_one(tmp_path):
    df = generate_frame(60, seed=3)
    df.loc[5, "age"] = "200"
    write_table(df, tmp_path / "in.csv")
    one = screen_file(tmp_path / "in.csv", tmp_path / "one.csv", jobs=1, progress=False)
    two = screen_file(tmp_path / "in.csv", tmp_path / "two.csv", jobs=2, progress=False, chunk_size=7)
    pd.testing.assert_frame_equal(read_table(tmp_path / "two.csv"), read_table(tmp_path / "one.csv"))
    assert (one.rows, one.screened, one.errors, one.by_triage) == (
        two.rows,
        two.screened,
        two.errors,
        two.by_triage,
    )
    assert one.errors == 1


def test_header_only_input_gives_header_only_output(tmp_path):
    (tmp_path / "in.csv").write_text("id,age\n")
    summary = screen_file(tmp_path / "in.csv", tmp_path / "out.csv", progress=False)
    assert (summary.rows, summary.exit_code) == (0, 0)
    assert (tmp_path / "out.csv").read_text().strip() == ",".join(OUTPUT_COLUMNS)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("missing.csv", None, "no such file"),
        ("in.xlsx", "x", "unknown table format '.xlsx'"),
        ("in.csv", "", "empty file"),
        ("in.csv", 'age,sex\n30,"female\n', "cannot read as csv"),
        ("in.parquet", "not parquet", "cannot read as parquet"),
    ],
)
def test_unreadable_input_raises_batch_input_error_naming_the_path(tmp_path, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(BatchInputError, match=match) as err:
        screen_file(path, tmp_path / "out.csv", jobs=1, progress=False)
    assert str(path) in str(err.value)
    assert not (tmp_path / "out.csv").exists()


def test_bad_output_extension_fails_before_screening(tmp_path):
    write_table(_frame(GOOD), tmp_path / "in.csv")
    with pytest.raises(BatchInputError, match="out.txt"):
        screen_file(tmp_path / "in.csv", tmp_path / "out.txt", jobs=1, progress=False)


# -- Dask ---------------------------------------------------------------------------------------


def test_dask_map_partitions_with_meta_equals_screen_frame():
    dd = pytest.importorskip("dask.dataframe")
    df = generate_frame(30, seed=9)
    df.loc[3, "movement.hip_shift"] = "up"
    lazy = dd.from_pandas(df, npartitions=2).map_partitions(screen_frame, meta=SCREEN_FRAME_META)
    got = lazy.compute(scheduler="synchronous")
    pd.testing.assert_frame_equal(got, screen_frame(df))
    assert got.loc[3, "error"].startswith("movement.hip_shift:")


# -- throughput plumbing (issue 13): plain rows to the workers, no pandas in them ------------------


def test_cells_from_numpy_and_pandas_read_as_plain_values():
    np = pytest.importorskip("numpy")
    plain = _frame({"id": "a", **GOOD, "safety.pregnant": "true", "symptoms.pain_now": "3",
                    "symptoms.pain_worst_week": "5"})
    typed = pd.DataFrame({
        "id": pd.array(["a"], dtype="string"),
        "age": np.array([34], dtype=np.int64),
        "movement.hip_shift": np.array(["right"], dtype=object),
        "symptoms.locations": [np.array(["low_back_right"])],
        "safety.pregnant": pd.array([True], dtype="boolean"),
        "symptoms.pain_now": np.array([3.0]),
        "symptoms.pain_worst_week": [np.int16(5)],
        "movement.knee_collapse": pd.array([pd.NA], dtype="string"),
        "movement.pelvic_drop": [None],
        "movement.hinge_faults": [np.nan],
    })
    pd.testing.assert_frame_equal(screen_frame(typed), screen_frame(plain))
    assert screen_frame(typed).loc[0, "error"] == ""


def test_a_series_row_and_a_dict_row_give_the_same_intake():
    row = {"age": "34", "movement.hip_shift": "Right ", "activities": "golf; running"}
    assert intake_from_row(pd.Series(row)) == intake_from_row(row)


def test_importing_batch_loads_neither_pandas_nor_the_rule_engine():
    import subprocess
    import sys

    code = ("import sys, hipscreen.batch; "
            "print(sorted(m for m in ('pandas', 'numpy', 'tqdm', 'hipscreen.screening', 'experta') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_worker_processes_run_without_pandas(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    import hipscreen.batch as batch

    with ProcessPoolExecutor(max_workers=1, mp_context=batch._pool_context()) as pool:
        loaded = pool.submit(eval, "sorted(m for m in ('pandas', 'hipscreen.batch') "
                                   "if m in __import__('sys').modules)").result()
        rows = pool.submit(batch._screen_rows, ("age", "movement.hip_shift"),
                           [("34", "right"), ("7", "up")], ["a", "b"]).result()
    assert "pandas" not in loaded
    assert [row[0] for row in rows] == ["a", "b"]
    assert rows[0][OUTPUT_COLUMNS.index("error")] == ""
    assert rows[1][OUTPUT_COLUMNS.index("error")].startswith("age: expected a whole number 8..110")


def test_the_parent_of_the_workers_never_loads_the_rule_engine(tmp_path):
    import subprocess
    import sys

    write_table(generate_frame(30, seed=4), tmp_path / "in.csv")
    code = (f"import sys\nfrom hipscreen.batch import screen_file\n"
            f"if __name__ == '__main__':\n"
            f"    s = screen_file({str(tmp_path / 'in.csv')!r}, {str(tmp_path / 'out.csv')!r}, "
            f"jobs=2, progress=False, chunk_size=5)\n"
            f"    print(s.screened, 'hipscreen.rules' in sys.modules, 'experta' in sys.modules)\n")
    (tmp_path / "run.py").write_text(code)
    done = subprocess.run([sys.executable, str(tmp_path / "run.py")], capture_output=True,
                          text=True, check=True, timeout=120)
    assert done.stdout.split() == ["30", "False", "False"]


def test_jsonl_empty_safety_object_is_asked_nothing_ticked_and_a_missing_one_not_asked(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "asked", "age": 40, "safety": {}}\n{"id": "not", "age": 40}\n')
    out = screen_frame(read_table(path)).set_index("id")
    assert out.loc["asked", "triage"] == "self_care"
    assert (out.loc["not", "triage"], out.loc["not", "red_flags"]) == (
        "clinician_review", "safety_not_asked")


def test_screen_file_never_writes_onto_its_input_or_through_a_symlink(tmp_path):
    import os

    source = tmp_path / "in.csv"
    source.write_text("id,age\na,34\n")
    with pytest.raises(BatchInputError, match="is the input"):
        screen_file(source, tmp_path / "." / "in.csv", jobs=1, progress=False)
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "target.csv")
    with pytest.raises(BatchInputError, match="symbolic link"):
        screen_file(source, link, jobs=1, progress=False)
    assert source.read_text() == "id,age\na,34\n" and not (tmp_path / "target.csv").exists()
    out = tmp_path / "screened.jsonl"
    screen_file(source, out, jobs=1, progress=False)
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv", "screened.jsonl"]


def test_batch_is_split_into_rows_tables_and_the_run_with_the_same_names():
    import subprocess
    import sys

    import hipscreen.batch as batch
    import hipscreen.rows as rows
    import hipscreen.tables as tables

    for name in ("COLUMNS", "ID_COLUMN", "RowError", "intake_from_row", "row_from_intake",
                 "format_result", "OUTPUT_COLUMNS"):
        assert getattr(batch, name) is getattr(rows, name), name
    for name in ("BatchInputError", "TABLE_FORMATS", "read_table", "write_table", "template_frame",
                 "write_template"):
        assert getattr(batch, name) is getattr(tables, name), name
    code = ("import sys, hipscreen.rows, hipscreen.tables; "
            "print(sorted(m for m in ('pandas', 'numpy', 'hipscreen.batch', 'hipscreen.fhir', "
            "'experta') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
