"""Form values -> an Intake: the nested data, the errors in a form's words next to each field,
and a screen in which a red flag always wins over any other error."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from hipscreen.app.questions import NOT_TESTED
from hipscreen.documents import FieldProblem, field_problems
from hipscreen.i18n import N_, _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Intake
from hipscreen.result import LEVELS_THAT_STOP_DRILLS, Result
from hipscreen.screening import screen_safety_first


def measured_ir_rule_words() -> str:
    """How measured IR angles decide limited IR, with the knowledge base's own numbers."""
    return catalogue().with_numbers(_(
        "When both angles are given they decide limited IR (a hip {hip_ir_limited_below_degrees}, "
        "or one that trails the other side by {hip_ir_side_difference_degrees}), whatever the IR "
        "choice above says."))


_LIST_FIELDS = {"activities", "symptoms.locations", "symptoms.worse_with",
                "movement.hinge_faults", "drill_response.low_back_pinch",
                "drill_response.hamstring_cramp"}


def intake_data(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Form values keyed by dotted intake path as the nested data the Intake model reads, and
    the errors found before validation ({field path: message in words}).

    Movement answers equal to NOT_TESTED (or None) are left out: not tested. The clinician's
    IR angles come as "movement.hip_ir_degrees.left" and ".right"; both or neither must be given
    (one alone is an error, and is left out of the data)."""
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
        errors[f"movement.hip_ir_degrees.{missing}"] = _(
            "Give the angle for both hips, or leave both empty if IR was not measured.")
    elif len(degrees) == 2:
        data.setdefault("movement", {})["hip_ir_degrees"] = degrees
    return data, errors


def form_errors(exc: ValidationError) -> dict[str, str]:
    """An Intake's validation errors as {field path: message in words}, one per field."""
    errors: dict[str, str] = {}
    for problem in field_problems(exc, Intake):
        path = ".".join(str(p) for p in problem.loc if not isinstance(p, int)) or "intake"
        message = _plain_message(problem)
        named = _PATH_AT_START.match(message) if path == "intake" else None
        if named:  # a check across fields names the field it is about first: show it there
            path, message = named[1], named[2][:1].upper() + named[2][1:]
        errors.setdefault(path, _plain_check(message))
    return errors


_PLAIN_CHECKS = (
    (re.compile(r"the worst pain of the last week \((\d+);[^)]*\) cannot be less than the pain "
                r"now \((\d+)\).*", re.IGNORECASE),
     N_("It is {worst} out of 10, but it cannot be less than the pain now ({now}): pain now is "
        "part of the last week. Move one of the two."), ("worst", "now")),
    (re.compile(r"the age when back pain first began \((\d+)\) cannot be more than the age now "
                r"\((\d+)\).*", re.IGNORECASE),
     N_("It is {first}, more than the age now ({age}). Check both ages."), ("first", "age")),
)


def _plain_check(message: str) -> str:
    """A check across two answers in the words of a form: what is wrong and what to do."""
    for pattern, words, names in _PLAIN_CHECKS:
        found = pattern.fullmatch(message.strip())
        if found:
            return _(words, **dict(zip(names, found.groups(), strict=True)))
    return message


_PATH_AT_START = re.compile(r"^([a-z_]+(?:\.[a-z_]+)*): (.+)$", re.DOTALL)


def build_intake(values: Mapping[str, Any]) -> tuple[Intake | None, dict[str, str]]:
    """Turn form values keyed by dotted intake path into an Intake (see intake_data).

    Returns (intake, {}) or (None, {field path: message in words}) so a page can show each
    message next to its field.
    """
    data, errors = intake_data(values)
    if errors:
        return None, errors
    try:
        return Intake.model_validate(data), {}
    except ValidationError as exc:
        return None, form_errors(exc)


@dataclass(frozen=True)
class Screened:
    """Form values screened with a red flag first: `result` is the full result when `errors`
    is empty; with errors it screens only the answers that are valid (hipscreen.screening.
    screen_safety_first), for its red flags alone, and is None when nothing could be screened."""

    result: Result | None
    errors: dict[str, str]

    @property
    def complete(self) -> bool:
        return self.result is not None and not self.errors

    @property
    def stops(self) -> bool:
        """An emergency or urgent red flag, whatever else is wrong: the screen stops here."""
        return self.result is not None and stops_here(self.result)


def screen_values(values: Mapping[str, Any]) -> Screened:
    """Screen form values so that an error in any other field never hides a red flag (docs/design.md,
    Safety: a red flag always wins). The errors of the form (a half-given angle, a worst pain
    below the pain now...) come back in words beside the result of the answers that are valid."""
    data, errors = intake_data(values)
    result, exc = screen_safety_first(data)
    if exc is not None:
        errors = {**errors, **{k: v for k, v in form_errors(exc).items() if k not in errors}}
    return Screened(result, errors)


def _plain_message(problem: FieldProblem) -> str:
    """A validation problem in the words of a form: what to do, next to the field."""
    if problem.kind == "missing":
        return _("Please answer this question.")
    if problem.kind in ("greater_than_equal", "less_than_equal"):
        if "ge" in problem.limits:
            return _("Enter a value of at least {limit}.", limit=problem.limits["ge"])
        return _("Enter a value of at most {limit}.", limit=problem.limits.get("le"))
    if problem.kind in ("int_type", "int_parsing"):
        return _("Enter a whole number.")
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
