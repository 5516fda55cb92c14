"""What the app needs that is not a widget: answers in plain words, the self-screening steps,
building an Intake from form values, the reasoning picture as DOT text, the body map, the
knowledge tables and an intake as a case file.

Nothing here decides anything clinical: every conclusion still comes from `screen()`'s Result.
The Streamlit pages (hipscreen.app) only call these functions and draw widgets.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from hipscreen.cases import CaseError, CaseFile, CaseResult, load_case_text
from hipscreen.documents import FieldProblem, InputError, decode, field_problems
from hipscreen.explain import HowNode
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import (
    DrillResponse,
    Intake,
    Movement,
    Safety,
    Symptoms,
)
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result
from hipscreen.rules.registry import rules

# -- plain words for answer values ------------------------------------------------------------
NOT_TESTED = "not_tested"
"""The widget value of a movement test that was skipped; it becomes None (left out) in the
Intake, which the result reports as a skipped test. It is never the same as "none"."""

SIDE_WORDS = {"left": "Left", "right": "Right", "both": "Both sides", "none": "Neither side"}

LOCATION_LABELS: dict[str, str] = {
    "low_back_left": "Low back, left",
    "low_back_right": "Low back, right",
    "low_back_central": "Low back, middle",
    "si_left": "Back of the pelvis (SI joint), left",
    "si_right": "Back of the pelvis (SI joint), right",
    "deep_glute_left": "Deep in the buttock, left",
    "deep_glute_right": "Deep in the buttock, right",
    "front_hip_left": "Front of the hip, left",
    "front_hip_right": "Front of the hip, right",
    "groin_left": "Groin, left",
    "groin_right": "Groin, right",
    "hamstring_left": "Back of the thigh (hamstring), left",
    "hamstring_right": "Back of the thigh (hamstring), right",
    "below_knee_left": "Below the knee, left",
    "below_knee_right": "Below the knee, right",
}

ACTIVITY_LABELS: dict[str, str] = {
    "running": "Running",
    "lifting": "Lifting weights",
    "golf": "Golf",
    "crossfit": "CrossFit",
    "field_sports": "Field sports (football, rugby, hockey ...)",
    "lifting_kids": "Lifting children",
    "desk_work": "Desk work, sitting a lot",
    "manual_work": "Manual work",
}

AGGRAVATOR_LABELS: dict[str, str] = {
    "after_leg_day": "After a leg day in the gym",
    "sitting_then_training": "Sitting all day, then training",
    "bending_lifting": "Bending and lifting",
    "rotation": "Turning or twisting (golf, throwing)",
    "running": "Running",
    "stairs": "Stairs",
    "getting_out_of_car": "Getting out of a car",
    "lifting_kids": "Lifting children",
}

HINGE_FAULT_LABELS: dict[str, str] = {
    "back_rounds": "The stick leaves my lower back (my back rounds)",
    "back_arches": "A big gap opens at my lower back (my back arches)",
    "turns_into_squat": "My knees bend a lot - it turns into a squat",
    "shifts_to_one_side": "My weight shifts to one side",
    "no_hamstring_load": "I feel nothing in the back of my thighs",
    "back_pain": "It hurts my back",
}

HIP_SURGERY_LABELS: dict[str, str] = {
    "none": "No hip surgery",
    "under_12_weeks": "Yes, less than 12 weeks ago",
    "over_12_weeks": "Yes, 12 weeks ago or more",
}

SEX_LABELS: dict[str | None, str] = {
    None: "Prefer not to say",
    "female": "Female",
    "male": "Male",
    "other": "Other",
    "undisclosed": "Undisclosed",
}

HAMSTRING_LABELS: dict[str, str] = {
    "none": "No", "left": "Yes, left", "right": "Yes, right", "both": "Yes, both sides"}

CONFIDENCE_WORDS = {"likely": "Likely", "possible": "Possible"}


def certainty_scale() -> str:
    """Where 'possible' and 'likely' start, from the thresholds in the knowledge base."""
    thresholds = catalogue().thresholds
    return (f"'possible' from {thresholds['possible_certainty'].value:.0%}, "
            f"'likely' from {thresholds['likely_certainty'].value:.0%}")


def measured_ir_rule_words() -> str:
    """How measured IR angles decide limited IR, with the knowledge base's own numbers."""
    return catalogue().with_numbers(
        "When both angles are given they decide limited IR (a hip {hip_ir_limited_below_degrees}, "
        "or one that trails the other side by {hip_ir_side_difference_degrees}), whatever the IR "
        "choice above says.")

WHY_NOT_STATUS_WORDS = {
    "met": "met",
    "missing": "not met",
    "not_tested": "not tested (the test was skipped)",
    "blocked": "blocked by another rule",
}

_SECTIONS: dict[str, type[BaseModel]] = {
    "safety": Safety, "symptoms": Symptoms, "movement": Movement, "drill_response": DrillResponse}


_SHORT_LABELS = {
    "safety.hip_surgery": "Hip surgery (replacement or other)",
    "movement.hinge_faults": "In a hip hinge",
    "movement.hip_ir_degrees": "Hip internal rotation measured",
    "sex": "Sex",
    "symptoms.pain_now": "Pain now",
    "symptoms.pain_worst_week": "Worst pain in the last week",
    "symptoms.weeks": "This episode has lasted",
    "mode": "Filled in by",
}


def field_label(path: str) -> str:
    """The plain-words label of an intake field, from its description ("safety.pregnant" ->
    "Pregnant now"); the dotted path itself when the field is unknown."""
    if path in _SHORT_LABELS:
        return _SHORT_LABELS[path]
    section, _, name = path.partition(".")
    if name and section in _SECTIONS:
        model = _SECTIONS[section]
    else:
        model, name = Intake, section
    field = model.model_fields.get(name)
    return field.description if field is not None and field.description else path


def value_words(field: str, value: Any) -> str:
    """One answer value in plain words, for the field it belongs to."""
    name = field.rpartition(".")[2]
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if field == "movement.hip_ir_degrees":
        if isinstance(value, Mapping):
            left, right = value["left"], value["right"]
        else:
            left, right = value
        return f"left {left} degrees, right {right} degrees"
    if isinstance(value, list | tuple):
        return ", ".join(value_words(field, v) for v in value) or "nothing chosen"
    tables: dict[str, Mapping] = {
        "locations": LOCATION_LABELS, "activities": ACTIVITY_LABELS,
        "worse_with": AGGRAVATOR_LABELS, "hinge_faults": HINGE_FAULT_LABELS,
        "hip_surgery": HIP_SURGERY_LABELS, "sex": SEX_LABELS,
        "recurring_hamstring_strain": HAMSTRING_LABELS,
        "mode": {"self": "The person themselves", "clinician": "A clinician"},
    }
    if name in tables and value in tables[name]:
        return tables[name][value]
    if field.startswith("drill_response.") and value in catalogue().drills:
        return catalogue().drills[value].name
    if field.startswith("movement.") and value in SIDE_WORDS:
        return SIDE_WORDS[value]
    if name in ("pain_now", "pain_worst_week"):
        return f"{value} out of 10"
    if name == "weeks":
        return f"{value} weeks"
    return str(value)


def answer_text(field: str, value: Any) -> str:
    """An intake answer in words: "Where it hurts: Low back, right"."""
    return f"{field_label(field)}: {value_words(field, value)}"


def answer_line_words(line: str) -> str:
    """An answer as the engine states it ("safety.saddle_numbness = True") in plain words
    ("Numbness around the genitals, back passage or inner thighs: Yes")."""
    field, sep, value = line.partition(" = ")
    if not sep:
        return line
    shown: Any = {"True": True, "False": False}.get(value, value)
    if field == "movement.hip_ir_degrees" or field not in _known_fields():
        return f"{field_label(field)}: {value}"
    return answer_text(field, shown)


def _known_fields() -> set[str]:
    known = {name for name in Intake.model_fields}
    known |= {f"{section}.{name}" for section, model in _SECTIONS.items()
              for name in model.model_fields}
    return known


# -- the self-screening steps --------------------------------------------------------------
EMERGENCY_QUESTIONS: tuple[str, ...] = (
    "bladder_or_bowel_change",
    "saddle_numbness",
    "both_legs_numb_or_weak",
    "worsening_leg_weakness",
    "cannot_bear_weight",
    "significant_trauma",
    "hot_swollen_hip",
    "fever_or_unwell",
)
"""Safety questions asked first: the ones whose rows are emergency or same-day (urgent)."""

HEALTH_QUESTIONS: tuple[str, ...] = (
    "cancer_history",
    "unexplained_weight_loss",
    "constant_night_pain",
    "osteoporosis_or_steroids",
    "immunosuppressed",
    "morning_stiffness_over_30_min",
    "pregnant",
)
"""The remaining yes/no safety questions (hip_surgery is a choice, asked with them)."""


CLINICIAN_SAFETY_LABELS: dict[str, str] = {
    "bladder_or_bowel_change": "Bladder or bowel change",
    "saddle_numbness": "Saddle numbness",
    "both_legs_numb_or_weak": "Both legs numb or weak",
    "worsening_leg_weakness": "Worsening leg weakness",
    "cannot_bear_weight": "Cannot bear weight",
    "significant_trauma": "Significant trauma",
    "hot_swollen_hip": "Hot, swollen hip",
    "fever_or_unwell": "Fever or systemically unwell",
    "cancer_history": "History of cancer",
    "unexplained_weight_loss": "Unexplained weight loss",
    "constant_night_pain": "Constant night pain",
    "osteoporosis_or_steroids": "Osteoporosis or long-term steroids",
    "immunosuppressed": "Immunosuppressed or injects drugs",
    "morning_stiffness_over_30_min": "Morning stiffness over 30 min",
    "pregnant": "Pregnant",
}
"""Short labels for the clinician's dense form (the full wording is the field's help text)."""


@dataclass(frozen=True)
class SelfTest:
    """One guided self-test: a title, what to look for, and the movement fields it answers."""

    key: str
    title: str
    look_for: str
    fields: tuple[str, ...]

    def how_to(self) -> list[str]:
        """The catalogue's instructions for each field of the test (no duplicates)."""
        tests = catalogue().movement_tests
        out: list[str] = []
        for name in self.fields:
            if tests[name].how_to not in out:
                out.append(tests[name].how_to)
        return out

    def would_check(self) -> list[str]:
        return [catalogue().movement_tests[name].would_check for name in self.fields]


SELF_TESTS: tuple[SelfTest, ...] = (
    SelfTest("balance", "Single-leg balance: 30 seconds on each leg",
             "Can you hold 30 seconds without touching down? Does the hip of the lifted leg sink?",
             ("single_leg_balance_poor", "pelvic_drop")),
    SelfTest("squat", "A squat in front of a mirror",
             "Does your belt buckle drift to one side? Does a knee cave inward?",
             ("hip_shift", "knee_collapse")),
    SelfTest("hinge", "A hip hinge with a broom handle along your back",
             "Does the stick stay on your head, upper back and tailbone? Where do you feel it?",
             ("hinge_faults",)),
    SelfTest("rotation", "Seated hip rotation, comparing sides",
             "Does one foot swing out clearly less far than the other?",
             ("hip_ir_limited",)),
    SelfTest("pinch", "Knee to chest, and does a hip feel stuck?",
             "A pinch in the crease at the front of the hip; a hip that feels blocked.",
             ("front_hip_pinch", "feels_stuck_in_hip")),
)

MOVEMENT_QUESTIONS: dict[str, tuple[str, str]] = {
    # field: (the question, the words for "none")
    "single_leg_balance_poor": ("On which leg could you NOT hold 30 seconds?",
                                "I held 30 seconds on both legs"),
    "pelvic_drop": ("Standing on which leg did the opposite hip drop?", "No drop on either side"),
    "hip_shift": ("Which way did your hips drift?", "No drift, they stayed in the middle"),
    "knee_collapse": ("Which knee caved inward?", "Neither knee"),
    "hip_ir_limited": ("Which foot swung out clearly less far?", "Both about the same"),
    "front_hip_pinch": ("On which side was there a pinch at the front of the hip?", "No pinch"),
    "feels_stuck_in_hip": ("Which hip feels stuck?", "Neither hip"),
}


def movement_options(field: str) -> list[str]:
    """The answers a movement field allows, "not tested" first (the default)."""
    annotation = Movement.model_fields[field].annotation
    for arg in get_args(annotation):
        values = get_args(arg)
        if values and all(isinstance(v, str) for v in values):
            return [NOT_TESTED, *values]
    raise ValueError(f"movement.{field} is not a side choice")


def movement_option_words(field: str, option: str) -> str:
    if option == NOT_TESTED:
        return "Not tested - I skipped this"
    if option == "none":
        return MOVEMENT_QUESTIONS.get(field, ("", "None"))[1]
    return SIDE_WORDS[option]


# -- building an Intake from form values ----------------------------------------------------
_LIST_FIELDS = {"activities", "symptoms.locations", "symptoms.worse_with",
                "movement.hinge_faults", "drill_response.low_back_pinch",
                "drill_response.hamstring_cramp"}


def build_intake(values: Mapping[str, Any]) -> tuple[Intake | None, dict[str, str]]:
    """Turn form values keyed by dotted intake path into an Intake.

    Movement answers equal to NOT_TESTED (or None) are left out: not tested. The clinician's
    IR angles come as "movement.hip_ir_degrees.left" and ".right"; both or neither must be given.
    Returns (intake, {}) or (None, {field path: message in words}) so a page can show each
    message next to its field.
    """
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    degrees: dict[str, Any] = {}
    for path, value in values.items():
        if path.startswith("movement.hip_ir_degrees."):
            if value is not None:
                degrees[path.rpartition(".")[2]] = value
            continue
        if path.startswith("movement.") and value in (NOT_TESTED, None):
            continue
        if path in _LIST_FIELDS:
            value = list(value or [])
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    if len(degrees) == 1:
        missing = "right" if "left" in degrees else "left"
        errors[f"movement.hip_ir_degrees.{missing}"] = (
            "Give the angle for both hips, or leave both empty if IR was not measured.")
    elif len(degrees) == 2:
        data.setdefault("movement", {})["hip_ir_degrees"] = degrees
    if errors:
        return None, errors
    try:
        return Intake.model_validate(data), {}
    except ValidationError as exc:
        for problem in field_problems(exc, Intake):
            path = ".".join(str(p) for p in problem.loc if not isinstance(p, int)) or "intake"
            errors.setdefault(path, _plain_message(problem))
        return None, errors


def _plain_message(problem: FieldProblem) -> str:
    """A validation problem in the words of a form: what to do, next to the field."""
    if problem.kind == "missing":
        return "Please answer this question."
    if problem.kind in ("greater_than_equal", "less_than_equal"):
        return f"Enter a value {'of at least' if 'ge' in problem.limits else 'of at most'} " \
               f"{problem.limits.get('ge', problem.limits.get('le'))}."
    if problem.kind in ("int_type", "int_parsing"):
        return "Enter a whole number."
    return problem.what


def hinge_answer(tested: bool, faults: Iterable[str]) -> list[str] | str:
    """The hinge_faults answer from a "tested?" switch and the faults seen: the faults (an
    empty list is a clean hinge) when tested or when any fault is marked, else NOT_TESTED."""
    faults = list(faults or [])
    return faults if tested or faults else NOT_TESTED


def with_drill_response(intake: Intake, low_back_pinch: Iterable[str],
                        hamstring_cramp: Iterable[str]) -> Intake:
    """The same intake with a drill response (what was felt during which drills)."""
    data = intake.model_dump()
    data["drill_response"] = {"low_back_pinch": list(low_back_pinch),
                              "hamstring_cramp": list(hamstring_cramp)}
    return Intake.model_validate(data)


def stops_here(result: Result) -> bool:
    """True when the answers so far reach a level that stops the screen (emergency, urgent)."""
    return result.triage.level in LEVELS_THAT_STOP_DRILLS


# -- conclusions, HOW and WHY NOT in words -----------------------------------------------------
def conclusions(result: Result) -> list[tuple[str, str]]:
    """Every conclusion of a result that has a HOW tree: (id, label), triage first."""
    cat = catalogue()
    out = [(result.triage.level, f"Triage: {result.triage.label}")]
    out += [(flag.id, f"Red flag: {flag.label}") for flag in result.triage.red_flags]
    seen = set()
    for deficit in result.deficits:
        if deficit.id not in seen:
            seen.add(deficit.id)
            out.append((deficit.id, f"Deficit: {cat.deficits[deficit.id].label}"))
    out += [(item.drill, f"Drill: {item.name}") for item in result.plan]
    return out


def why_not_choices() -> list[tuple[str, str]]:
    """Every deficit and drill id a why-not question can ask about, with its label."""
    cat = catalogue()
    return ([(key, f"Deficit: {d.label}") for key, d in cat.deficits.items()]
            + [(key, f"Drill: {d.name}") for key, d in cat.drills.items()])


def how_markdown(nodes: list[HowNode], depth: int = 0) -> str:
    """Justification trees as a nested Markdown list: each fact, the rule that concluded it
    (its text and source), then its premises, down to the intake answers."""
    lines: list[str] = []
    pad = "    " * depth
    for node in nodes:
        lines.append(f"{pad}- **{_md(node.text)}**")
        if node.rule:
            lines.append(f"{pad}    - because of rule `{node.rule}`: {_md(node.rule_text or '')}")
            if node.source:
                lines.append(f"{pad}    - source: {_md(node.source)}")
        else:
            lines.append(f"{pad}    - your answer")
        if node.premises:
            lines.append(how_markdown(node.premises, depth + 1))
    return "\n".join(lines)


def _md(text: str) -> str:
    """Escape the Markdown characters that would change how a plain sentence renders."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", " ".join(text.split()))


# -- the reasoning picture -------------------------------------------------------------------
_SHOWN = {"Answer", "RedFlag", "Triage", "DrillsStopped", "Finding", "Deficit", "Planned",
          "Blocked"}
_LEVEL_COLOURS = {"emergency": "#f8d7da", "urgent": "#fde2c8", "clinician_review": "#fff3cd",
                  "self_care": "#d1e7dd"}
_COLUMNS = (("answers", "Your answers"), ("findings", "What they show"),
            ("deficits", "Likely and possible deficits"), ("plan", "Your plan"))


def _dot_text(text: str, width: int = 30) -> str:
    wrapped = "\\n".join(textwrap.wrap(" ".join(str(text).split()), width)) or " "
    return wrapped.replace('"', '\\"')


def reasoning_graph(result: Result) -> tuple[dict[str, dict[str, str]], set[tuple[str, str, str]]]:
    """The reasoning as nodes and edges, from the trace: answers -> findings (and red flags,
    triage) -> deficits -> drills. Intermediate facts (evidence, candidates, swaps) are folded
    into the edges. Nodes: id -> {label, column, style}; edges: (from, to, label)."""
    cat = catalogue()
    steps = {s.fact_id: s for s in result.trace}
    nodes: dict[str, dict[str, str]] = {}

    def node_id(step) -> str:
        if step.kind in ("Planned", "Blocked"):
            return f"{step.kind.lower()}_{step.data['drill']}"
        return f"f{step.fact_id}"

    def add_node(step) -> str:
        key = node_id(step)
        d = step.data
        if step.kind == "Answer":
            node = {"label": answer_text(d["field"], d["value"]), "column": "answers"}
        elif step.kind == "Finding":
            side = "" if d["side"] == "both" else f" ({d['side']})"
            node = {"label": cat.findings[d["id"]].label + side, "column": "findings"}
        elif step.kind == "RedFlag":
            node = {"label": f"Red flag: {cat.red_flags[d['id']].label} "
                             f"({d['level'].replace('_', ' ')})", "column": "findings",
                    "fill": _LEVEL_COLOURS[d["level"]]}
        elif step.kind == "Triage":
            node = {"label": f"Triage: {d['level'].replace('_', ' ')}", "column": "deficits",
                    "fill": _LEVEL_COLOURS[d["level"]]}
        elif step.kind == "DrillsStopped":
            node = {"label": "No drills: the plan is stopped", "column": "plan",
                    "fill": _LEVEL_COLOURS["emergency"]}
        elif step.kind == "Deficit":
            node = {"label": f"{cat.deficits[d['id']].label} ({d['side']}): "
                             f"{d['confidence']}, {d['certainty']:.2f}", "column": "deficits"}
        elif step.kind == "Planned":
            sides = sorted({s.data["side"] for s in result.trace
                            if s.kind == "Planned" and s.data["drill"] == d["drill"]})
            node = {"label": f"{cat.drills[d['drill']].name} ({', '.join(sides)})",
                    "column": "plan", "fill": "#cfe2ff"}
        else:  # Blocked
            node = {"label": f"Left out: {cat.drills[d['drill']].name} "
                             f"({cat.precautions[d['precaution']].label})",
                    "column": "plan", "style": "dashed"}
        nodes.setdefault(key, node)
        return key

    memo: dict[int, set[tuple[str, str]]] = {}

    def shown_parents(fact_id: int) -> set[tuple[str, str]]:
        """The nearest shown ancestors of a fact, with an edge label from a folded evidence."""
        if fact_id in memo:
            return memo[fact_id]
        memo[fact_id] = set()
        step = steps.get(fact_id)
        found: set[tuple[str, str]] = set()
        if step is not None:
            premise_sets = [step.premises] + [a.get("premises", []) for a in step.also_by]
            for premises in premise_sets:
                for pid in premises:
                    parent = steps.get(pid)
                    if parent is None:
                        continue
                    if parent.kind in _SHOWN:
                        found.add((add_node(parent), ""))
                    else:
                        label = (f"weight {parent.data['weight']}"
                                 if parent.kind == "Evidence" else "")
                        found |= {(key, label or lab) for key, lab in shown_parents(pid)}
        memo[fact_id] = found
        return found

    edges: set[tuple[str, str, str]] = set()
    for step in result.trace:
        if step.kind not in _SHOWN or step.kind == "Answer":
            continue
        child = add_node(step)
        for parent, label in shown_parents(step.fact_id):
            if parent != child:
                edges.add((parent, child, label))
    return nodes, edges


def reasoning_dot(result: Result) -> str:
    """The reasoning picture as Graphviz DOT text, for st.graphviz_chart: four columns, left to
    right. Only answers that some rule used appear."""
    nodes, edges = reasoning_graph(result)
    lines = ["digraph reasoning {",
             '  graph [rankdir=LR, nodesep=0.25, ranksep=0.6, fontname="Helvetica", '
             'fontsize=12];',
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
             'fontname="Helvetica", fontsize=11, color="#555555", fontcolor="#111111"];',
             '  edge [color="#777777", fontname="Helvetica", fontsize=9, fontcolor="#333333"];']
    for column, title in _COLUMNS:
        members = [(k, n) for k, n in nodes.items() if n["column"] == column]
        if not members:
            continue
        lines.append(f"  subgraph cluster_{column} {{")
        lines.append(f'    label="{title}"; style="rounded"; color="#bbbbbb";')
        for key, node in sorted(members, key=lambda kn: kn[1]["label"]):
            style = "rounded,filled,dashed" if node.get("style") == "dashed" else "rounded,filled"
            fill = node.get("fill", "#f2f2f2" if column == "answers" else "#ffffff")
            lines.append(f'    {key} [label="{_dot_text(node["label"])}", style="{style}", '
                         f'fillcolor="{fill}"];')
        lines.append("  }")
    for parent, child, label in sorted(edges):
        attr = f' [label="{_dot_text(label, 20)}"]' if label else ""
        lines.append(f"  {parent} -> {child}{attr};")
    lines.append("}")
    return "\n".join(lines)


def reasoning_summary(result: Result) -> str:
    """The reasoning picture in one paragraph of words, for screen readers (alt text)."""
    nodes, edges = reasoning_graph(result)
    by_column = {c: [n["label"] for n in nodes.values() if n["column"] == c] for c, _ in _COLUMNS}
    parts = [f"{title}: {'; '.join(sorted(by_column[c])) or 'none'}" for c, title in _COLUMNS]
    return "Reasoning picture. " + ". ".join(parts) + f". {len(edges)} links."


# -- the body map ------------------------------------------------------------------------------
# Regions on two outline figures, 200 x 400 each: the back view (the person's left is on the
# viewer's left) and the front view (the person's left is on the viewer's right).
_BACK_REGIONS: dict[str, tuple[str, float, float, float, float]] = {
    # location: (shape, cx, cy, rx, ry) on the back figure
    "low_back_left": ("ellipse", 82, 150, 14, 14),
    "low_back_central": ("ellipse", 100, 150, 6, 16),
    "low_back_right": ("ellipse", 118, 150, 14, 14),
    "si_left": ("ellipse", 90, 178, 8, 8),
    "si_right": ("ellipse", 110, 178, 8, 8),
    "deep_glute_left": ("ellipse", 78, 196, 14, 12),
    "deep_glute_right": ("ellipse", 122, 196, 14, 12),
    "hamstring_left": ("ellipse", 80, 250, 12, 30),
    "hamstring_right": ("ellipse", 120, 250, 12, 30),
    "below_knee_left": ("ellipse", 80, 330, 10, 36),
    "below_knee_right": ("ellipse", 120, 330, 10, 36),
}
_FRONT_REGIONS: dict[str, tuple[str, float, float, float, float]] = {
    "front_hip_left": ("ellipse", 124, 186, 12, 10),
    "front_hip_right": ("ellipse", 76, 186, 12, 10),
    "groin_left": ("ellipse", 108, 210, 8, 10),
    "groin_right": ("ellipse", 92, 210, 8, 10),
}
_OUTLINE = (
    # head, trunk, arms, legs of a simple standing figure, 200 wide
    '<circle cx="100" cy="40" r="24"/>'
    '<path d="M70 72 Q100 62 130 72 L136 170 Q138 200 132 212 L68 212 Q62 200 64 170 Z"/>'
    '<path d="M70 76 L48 160 L56 164 L76 100 Z"/><path d="M130 76 L152 160 L144 164 L124 100 Z"/>'
    '<path d="M68 210 L66 300 L70 380 L92 380 L96 300 L99 214 Z"/>'
    '<path d="M132 210 L134 300 L130 380 L108 380 L104 300 L101 214 Z"/>'
)


def body_map_svg(selected: Iterable[str]) -> str:
    """An SVG of the body from behind and from the front with each pain location drawn as a
    region; selected locations are filled. Every region has a <title> in words."""
    chosen = set(selected)
    unknown = chosen - set(LOCATION_LABELS)
    if unknown:
        raise ValueError(f"unknown pain locations: {sorted(unknown)}")

    def regions(table, dx: int) -> str:
        out = []
        for loc, (_, cx, cy, rx, ry) in table.items():
            on = loc in chosen
            out.append(
                f'<ellipse id="{loc}" class="{"selected" if on else "region"}" '
                f'cx="{cx + dx}" cy="{cy}" rx="{rx}" ry="{ry}" '
                f'fill="{"#d62728" if on else "#ffffff"}" fill-opacity="{0.85 if on else 0.6}" '
                f'stroke="{"#7f0000" if on else "#888888"}" stroke-width="{2 if on else 1}">'
                f"<title>{LOCATION_LABELS[loc]}{' (hurts)' if on else ''}</title></ellipse>")
        return "".join(out)

    described = ", ".join(LOCATION_LABELS[loc] for loc in LOCATION_LABELS if loc in chosen)
    title = f"Body map. Where it hurts: {described or 'nothing marked yet'}."
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 440 430" width="440" height="430" '
        f'role="img" aria-label="{title}"><title>{title}</title>'
        '<rect width="440" height="430" fill="#ffffff"/>'
        f'<g fill="#eeeeee" stroke="#999999" stroke-width="1.5">{_OUTLINE}</g>'
        f'<g transform="translate(240 0)" fill="#eeeeee" stroke="#999999" stroke-width="1.5">'
        f"{_OUTLINE}</g>"
        f"{regions(_BACK_REGIONS, 0)}{regions(_FRONT_REGIONS, 240)}"
        '<g font-family="Helvetica, Arial, sans-serif" font-size="13" fill="#222222" '
        'text-anchor="middle">'
        '<text x="100" y="405">From behind</text><text x="340" y="405">From the front</text>'
        '<text x="30" y="150">L</text><text x="170" y="150">R</text>'
        '<text x="270" y="150">R</text><text x="410" y="150">L</text></g></svg>')


# -- the knowledge tables ----------------------------------------------------------------------
def knowledge_tables() -> dict[str, pd.DataFrame]:
    """Rules, findings, deficits, drills, red flags, precautions and self-tests as tables."""
    cat = catalogue()
    cite = cat.cite
    tables = {
        "Rules": pd.DataFrame([
            {"id": r.id, "stage": r.stage, "text": " ".join(r.text.split()),
             "conditions": "; ".join(r.conditions_text()),
             "concludes": ", ".join(r.concludes),
             "weight": r.weight, "source": cite(r.source)}
            for r in rules().values()]),
        "Findings": pd.DataFrame([
            {"id": k, "label": f.label, "sided": f.sided, "from answers": ", ".join(f.answers),
             "source": cite(f.source)} for k, f in cat.findings.items()]),
        "Deficits": pd.DataFrame([
            {"id": k, "label": d.label, "text": " ".join(d.text.split()),
             "drills": ", ".join(d.drills), "source": cite(d.source)}
            for k, d in cat.deficits.items()]),
        "Drills": pd.DataFrame([
            {"id": k, "name": d.name, "variant": d.variant, "purpose": " ".join(d.purpose.split()),
             "dose": d.dose.text(), "regression": d.regression, "progression": d.progression,
             "source": cite(d.source)} for k, d in sorted(cat.drills.items(),
                                                          key=lambda kv: kv[1].order)]),
        "Red flags": pd.DataFrame([
            {"id": k, "level": f.level.replace("_", " "), "label": f.label, "when": f.when,
             "action": f.action, "stops drills": f.stops_drills, "source": cite(f.source)}
            for k, f in cat.red_flags.items()]),
        "Precautions": pd.DataFrame([
            {"id": k, "label": p.label, "text": " ".join(p.text.split()),
             "source": cite(p.source)} for k, p in cat.precautions.items()]),
        "Self-tests": pd.DataFrame([
            {"id": k, "label": t.label, "would check": t.would_check, "how to": t.how_to,
             "source": cite(t.source)} for k, t in cat.movement_tests.items()]),
    }
    return tables


def filter_table(table: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows in which every word of the query appears somewhere (case-insensitive)."""
    words = query.lower().split()
    if not words or table.empty:
        return table
    haystack = table.apply(lambda row: " ".join(str(v) for v in row).lower(), axis=1)
    mask = pd.Series(True, index=table.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return table[mask]


# -- an intake as a case file ------------------------------------------------------------------
_CASE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def case_id_from(text: str) -> str:
    """A case id (lowercase words joined by hyphens) from any title."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "new-case"


def case_file_yaml(result: Result, *, case_id: str = "new-case",
                   title: str = "Intake saved from the app",
                   story: str = "Describe the case in words before adding it to cases/.",
                   source: str = "hipscreen app intake") -> str:
    """The result's intake as a case-file YAML (DESIGN.md "Case files"), with `expect` filled
    from what the screen concluded, for a clinician to check and turn into a documented case."""
    if not _CASE_ID.match(case_id):
        raise ValueError(f"case id {case_id!r}: use lowercase words joined by hyphens")
    intake = result.intake.model_dump(mode="json", exclude_defaults=True)
    intake = {"mode": result.intake.mode, **intake}
    expect: dict[str, Any] = {"triage": result.triage.level}
    deficits = list(dict.fromkeys(result.deficit_ids()))
    if deficits:
        expect["deficits"] = deficits
    if result.plan:
        expect["drills"] = result.drill_ids()
    doc = {"id": case_id, "title": title, "story": story, "source": source,
           "intake": intake, "expect": expect}
    header = ("# Drafted by hipscreen from an intake. Check the story and what `expect` says\n"
              "# before you add it to cases/ (the file stem must equal the id).\n")
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


# -- the case lab --------------------------------------------------------------------------------
def default_cases_dir() -> Path | None:
    """The case folder to offer first: ./cases where the app was started, else the cases/ of the
    source checkout this package lives in; None when neither exists."""
    for folder in (Path.cwd() / "cases", Path(__file__).resolve().parents[1] / "cases"):
        if folder.is_dir():
            return folder
    return None


def case_from_upload(name: str, data: bytes) -> CaseFile:
    """Validate an uploaded case file in memory (nothing is written to disk); raise CaseError
    naming the file, the field and what was expected, as the case runner does for a path."""
    try:
        text = decode(data, name)
    except InputError as exc:
        raise CaseError(str(exc)) from None
    return load_case_text(text, name)


def differences_frame(result: CaseResult) -> pd.DataFrame:
    """One row per expectation a case does not meet: field, id, expected, actual, and the rule
    base's explanation."""
    return pd.DataFrame(
        [{"field": d.field, "id": d.id or "", "expected": d.expected, "actual": d.actual,
          "explanation": d.explanation or ""} for d in result.differences],
        columns=["field", "id", "expected", "actual", "explanation"])
