"""Each article sign gives its deficit from the sign alone, on the right side (docs/design.md,
"What the article says")."""

import pytest

from hipscreen.screening import screen


def _deficit(result, deficit_id):
    return {d.side: d for d in result.deficits if d.id == deficit_id}


# (signs, deficit, expected side)
ROWS = [
    ({"movement": {"hip_shift": "right"}}, "hip_stability_deficit", "right"),
    ({"movement": {"hip_shift": "left"}}, "hip_stability_deficit", "left"),
    ({"movement": {"knee_collapse": "left"}}, "hip_stability_deficit", "left"),
    ({"movement": {"knee_collapse": "both"}}, "hip_stability_deficit", "both"),
    ({"symptoms": {"locations": ["low_back_left"]}}, "hip_stability_deficit", "left"),
    ({"movement": {"front_hip_pinch": "right"}}, "hip_stability_deficit", "right"),
    ({"symptoms": {"recurring_hamstring_strain": "left"}}, "hip_stability_deficit", "left"),
    ({"symptoms": {"locations": ["si_right"]}}, "hip_stability_deficit", "right"),
    ({"symptoms": {"locations": ["deep_glute_left"]}}, "hip_stability_deficit", "left"),
    ({"movement": {"single_leg_balance_poor": "right"}}, "hip_stability_deficit", "right"),
    ({"movement": {"pelvic_drop": "left"}}, "hip_stability_deficit", "left"),
    ({"movement": {"hinge_faults": ["back_rounds"]}}, "hinge_pattern_deficit", "both"),
    ({"movement": {"hinge_faults": ["back_arches"]}}, "hinge_pattern_deficit", "both"),
    ({"movement": {"hinge_faults": ["shifts_to_one_side"]}}, "hinge_pattern_deficit", "both"),
    ({"movement": {"hinge_faults": ["turns_into_squat"]}}, "hinge_pattern_deficit", "both"),
    ({"movement": {"hinge_faults": ["no_hamstring_load"]}}, "hinge_pattern_deficit", "both"),
    ({"movement": {"hinge_faults": ["back_pain"]}}, "hinge_pattern_deficit", "both"),
    ({"movement": {"feels_stuck_in_hip": "left"}}, "hip_ir_control_deficit", "left"),
    ({"movement": {"hip_shift": "right"}}, "hip_ir_control_deficit", "right"),
    ({"symptoms": {"worse_with": ["after_leg_day"]}}, "hip_ir_control_deficit", "both"),
    ({"movement": {"front_hip_pinch": "left"}}, "hip_ir_control_deficit", "left"),
    ({"movement": {"hip_ir_limited": "right"}}, "hip_ir_control_deficit", "right"),
    ({"symptoms": {"worse_with": ["rotation"]}, "movement": {"hip_ir_limited": "left"}},
     "rotational_control_deficit", "left"),
    ({"symptoms": {"worse_with": ["getting_out_of_car"]}, "movement": {"knee_collapse": "right"}},
     "rotational_control_deficit", "right"),
    ({"drill_response": {"hamstring_cramp": ["single_leg_hip_hinge"]}}, "glute_underuse", "both"),
    ({"symptoms": {"stretching_only_temporary_relief": True, "keeps_coming_back": True}},
     "protective_tension", "both"),
]


@pytest.mark.parametrize(("signs", "deficit", "side"), ROWS,
                         ids=[f"{r[1]}-{i}" for i, r in enumerate(ROWS)])
def test_sign_alone_gives_its_deficit_on_its_side(signs, deficit, side):
    result = screen({"safety": {}, "age": 35, **signs})
    found = _deficit(result, deficit)
    assert side in found, f"expected {deficit} on {side}, got {[(d.id, d.side) for d in result.deficits]}"
    assert found[side].confidence in ("likely", "possible")


def test_no_signs_no_deficits():
    result = screen({"safety": {}, "age": 35})
    assert result.deficits == []
    assert result.plan == []


def test_rotation_pain_alone_is_not_rotational_control():
    """The article pairs rotation pain WITH limited or uncontrolled hip rotation."""
    result = screen({"safety": {}, "age": 35, "symptoms": {"worse_with": ["rotation"]}})
    assert "rotational_control_deficit" not in result.deficit_ids()


def test_both_legs_poor_balance_is_both_sides():
    result = screen({"safety": {}, "age": 35, "movement": {"single_leg_balance_poor": "both"}})
    assert _deficit(result, "hip_stability_deficit").keys() == {"both"}


def test_signs_on_different_sides_give_each_side():
    result = screen({"safety": {}, "age": 35, "movement": {"pelvic_drop": "left", "knee_collapse": "right"}})
    sides = _deficit(result, "hip_stability_deficit")
    assert sides["left"].confidence == "likely" and sides["right"].confidence == "possible"
