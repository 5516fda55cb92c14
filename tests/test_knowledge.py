"""The catalogues load strictly and every rule and entry is sourced and worded."""

import re
import shutil

import pytest
import yaml

from hipscreen.knowledge.catalogue import DATA_DIR, CatalogueError, catalogue, load_catalogue
from hipscreen.knowledge.intake import Intake
from hipscreen.rules.registry import rules


def _copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_shipped_catalogue_is_valid():
    cat = load_catalogue()
    assert {"hip_stability_deficit", "hinge_pattern_deficit", "hip_ir_control_deficit",
            "rotational_control_deficit", "glute_underuse", "protective_tension"} <= set(cat.deficits)
    assert {"single_leg_stability", "single_leg_hip_hinge", "internal_rotation_hinge",
            "hip_airplane"} <= set(cat.drills)


def test_unknown_key_names_file_entry_and_field(tmp_path):
    data = _copy(tmp_path)
    _edit(data / "drills.yaml", lambda d: d["hip_airplane"].update(colour="red"))
    with pytest.raises(CatalogueError, match=r"drills.yaml: entry 'hip_airplane', field 'colour'"):
        load_catalogue(data)


def test_bad_dose_names_the_nested_field(tmp_path):
    data = _copy(tmp_path)
    _edit(data / "drills.yaml", lambda d: d["glute_bridge"]["dose"].update(sets=0))
    with pytest.raises(CatalogueError, match=r"entry 'glute_bridge', field 'dose.sets'"):
        load_catalogue(data)


def test_unknown_source_and_drill_references_are_errors(tmp_path):
    data = _copy(tmp_path)
    _edit(data / "deficits.yaml", lambda d: d["glute_underuse"].update(source="blog-post"))
    _edit(data / "drills.yaml", lambda d: d["hip_airplane"].update(regresses_to="yoga"))
    with pytest.raises(CatalogueError) as err:
        load_catalogue(data)
    message = str(err.value)
    assert "deficits.yaml: entry 'glute_underuse', field 'source': unknown source 'blog-post'" in message
    assert "drills.yaml: entry 'hip_airplane', field 'regresses_to': unknown drill 'yoga'" in message


def test_unreadable_yaml_names_the_file(tmp_path):
    data = _copy(tmp_path)
    (data / "findings.yaml").write_text("hip_shift: [unclosed\n")
    with pytest.raises(CatalogueError, match="findings.yaml: line 2, column 1: not valid YAML"):
        load_catalogue(data)


def test_every_rule_has_a_known_source_text_and_conclusion():
    cat = catalogue()
    for rule in rules().values():
        assert rule.source in cat.sources, rule.id
        assert len(rule.text) > 20, rule.id
        assert rule.concludes, rule.id
        if rule.stage == "deficits" and rule.id != "evidence_combines_into_deficits":
            assert rule.weight is not None and 0 < rule.weight <= 1, rule.id
            assert rule.concludes[0] in cat.deficits


def test_every_red_flag_row_has_a_safety_rule():
    concluded = {c for r in rules().values() if r.stage == "safety" for c in r.concludes}
    assert set(catalogue().red_flags) <= concluded


def test_intake_rejects_unknown_keys_and_keeps_not_tested_distinct():
    with pytest.raises(ValueError, match="Extra inputs"):
        Intake.model_validate({"safety": {}, "age": 30, "movement": {"hip_swing": "left"}})
    assert Intake.model_validate({"safety": {}, "age": 30}).movement.hip_shift is None
    intake = Intake.model_validate({"safety": {}, "age": 30, "movement": {"hip_shift": "none"}})
    assert intake.movement.hip_shift == "none"


def test_every_catalogue_text_has_balanced_brackets():
    """A comma inside an unquoted YAML flow list splits one item in three ("Foot tripod (heel",
    "big toe", ...): an item with an unmatched bracket is such a split."""
    def texts(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from texts(v)
        elif isinstance(value, list):
            for v in value:
                yield from texts(v)

    def unbalanced(text: str) -> bool:
        text = re.sub(r"^\d+\) ", "", text)  # the article's own numbering: "1) Single-Leg ..."
        return text.count("(") != text.count(")") or text.count("[") != text.count("]")

    assert [t for t in texts(catalogue().model_dump()) if unbalanced(t)] == []
