"""The synthetic intake generator (tests/synth_helpers.py; benchmarks/synth.py writes it to a table)."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from hipscreen.batch import COLUMN_NAMES, intake_from_row, read_table, screen_frame
from hipscreen.knowledge.intake import Intake
from hipscreen.result import TRIAGE_ORDER
from tests.synth_helpers import generate, generate_frame, generate_labelled, main


def test_same_seed_same_intakes_other_seed_other_intakes():
    assert generate(200, seed=4) == generate(200, seed=4)
    assert generate(200, seed=4) != generate(200, seed=5)
    pd.testing.assert_frame_equal(generate_frame(50, seed=4), generate_frame(50, seed=4))


def test_every_generated_intake_validates():
    for data in generate(1000, seed=1):
        Intake.model_validate(data)


def test_mix_is_mostly_self_care_with_some_review_and_a_few_red_flags():
    levels = Counter(level for level, _ in generate_labelled(1000, seed=2))
    assert levels == {"self_care": 800, "clinician_review": 150, "emergency": 25, "urgent": 25}


def test_mix_varies_answers_like_real_intakes():
    intakes = [Intake.model_validate(d) for d in generate(1000, seed=6)]
    modes = Counter(i.mode for i in intakes)
    assert modes["self"] > modes["clinician"] > 100
    shifts = Counter(i.movement.hip_shift for i in intakes)
    assert {"left", "right", "none", None} <= set(shifts)  # None: not tested
    assert {"left", "right", "both"} <= {i.movement.knee_collapse for i in intakes}
    degrees = [i for i in intakes if i.movement.hip_ir_degrees is not None]
    assert degrees and all(i.mode == "clinician" for i in degrees)
    assert any(i.drill_response.low_back_pinch for i in intakes)
    assert any(i.movement.hinge_faults == () for i in intakes)  # a clean hinge, tested
    surgery = Counter(i.safety.hip_surgery for i in intakes)
    assert surgery["under_12_weeks"] and surgery["over_12_weeks"]
    assert any(i.age < 16 for i in intakes)


def test_screening_gives_each_synthetic_intake_its_design_triage_level():
    labelled = generate_labelled(100, seed=0)
    frame = generate_frame(100, seed=0)
    out = screen_frame(frame)
    assert (out["error"] == "").all()
    assert out["triage"].tolist() == [level for level, _ in labelled]
    assert set(out["triage"]) == set(TRIAGE_ORDER)
    stopped = out[out["triage"].isin(["emergency", "urgent"])]
    assert (stopped["drills"] == "").all()


def test_frame_is_the_flattened_intakes_as_text():
    frame = generate_frame(80, seed=8)
    assert list(frame.columns) == ["id", *COLUMN_NAMES]
    assert frame["id"].is_unique
    rebuilt = [intake_from_row(row) for row in frame.to_dict("records")]
    assert rebuilt == [Intake.model_validate(d) for d in generate(80, seed=8)]
    assert (frame["movement.hip_shift"] == "").any()  # tests left out stay empty cells


def test_command_line_writes_the_table(tmp_path, capsys):
    assert main(["25", str(tmp_path / "s.csv")]) == 0
    assert len(read_table(tmp_path / "s.csv")) == 25
    assert "wrote 25" in capsys.readouterr().out
    assert main(["many", str(tmp_path / "s.csv")]) == 2
