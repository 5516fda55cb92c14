"""screen(intake) -> Result: declare the answers, run the rule base, read the conclusions."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import cache
from typing import Any

import pydantic

from hipscreen import conclusions
from hipscreen.conclusions import (  # noqa: F401  (TRIAGE_LABELS and plan_note: read from here too)
    CLINICIAN_REVIEW_NOTE,
    SELF_CARE_ACTION,
    TRIAGE_LABELS,
    EngineRun,
    plan_note,
)
from hipscreen.i18n import _, translate
from hipscreen.knowledge.catalogue import TRIAGE_ORDER, catalogue
from hipscreen.knowledge.intake import DrillResponse, Intake, Movement, Safety, Symptoms
from hipscreen.result import FindingLink, Result, SkippedTest, Triage
from hipscreen.rules.engine import ScreeningEngine
from hipscreen.rules.facts import Answer, answer_fact, kind_of
from hipscreen.rules.registry import rules

_local = threading.local()
_build_lock = threading.Lock()

def engine() -> ScreeningEngine:
    """This thread's engine: built once per thread, reset for every intake.

    experta engines keep per-run state (facts, agenda, matcher memory), so one engine must never
    run two intakes at once; a Streamlit server runs sessions on threads, hence one per thread.
    """
    eng = getattr(_local, "engine", None)
    if eng is None:
        with _build_lock:  # experta's Rule objects are shared class attributes while building
            eng = ScreeningEngine()
        _local.engine = eng
    return eng


_SAFETY = {name: f"safety.{name}" for name in Safety.model_fields}
_MOVEMENT = {name: f"movement.{name}" for name in Movement.model_fields}
_DRILL_RESPONSE = {name: f"drill_response.{name}" for name in DrillResponse.model_fields}


def answers(intake: Intake) -> list[Answer]:
    """The informative answers of an intake as facts. "No" safety answers, empty lists and
    movement tests left out are not declared: the absence of a fact is their meaning."""
    # vars(model): a model's fields (extra="forbid" leaves nothing else), without pydantic's
    # field-by-field iterator
    facts = [answer_fact("mode", intake.mode)]
    if intake.age is not None:  # None only in screen_safety_first's salvage of a bad age
        facts.append(answer_fact("age", intake.age))
    facts += [answer_fact("activities", a) for a in intake.activities]
    for name, value in vars(intake.safety).items():
        if value is None:  # never asked: not a "no"
            facts.append(answer_fact("safety.not_asked", name))
        elif value is True or (name == "hip_surgery" and value != "none"):
            facts.append(answer_fact(_SAFETY[name], value))
    s = intake.symptoms
    facts += [answer_fact("symptoms.pain_now", s.pain_now),
              answer_fact("symptoms.pain_worst_week", s.pain_worst_week),
              answer_fact("symptoms.weeks", s.weeks)]
    if s.leg_symptoms_weeks is not None:
        facts.append(answer_fact("symptoms.leg_symptoms_weeks", s.leg_symptoms_weeks))
    if s.first_episode_age is not None:
        facts.append(answer_fact("symptoms.first_episode_age", s.first_episode_age))
    for name in ("keeps_coming_back", "pins_and_needles_below_knee",
                 "stretching_only_temporary_relief"):
        if getattr(s, name):
            facts.append(answer_fact(f"symptoms.{name}", True))
    facts += [answer_fact("symptoms.locations", v) for v in s.locations]
    facts += [answer_fact("symptoms.worse_with", v) for v in s.worse_with]
    if s.recurring_hamstring_strain != "none":
        facts.append(answer_fact("symptoms.recurring_hamstring_strain",
                            value=s.recurring_hamstring_strain))
    for name, value in vars(intake.movement).items():
        if value is None:
            continue
        if name == "hinge_faults":
            facts += [answer_fact("movement.hinge_faults", v) for v in value]
        elif name == "hip_ir_degrees":
            facts.append(answer_fact("movement.hip_ir_degrees", (value.left, value.right)))
        else:
            facts.append(answer_fact(_MOVEMENT[name], value))
    for name, drills in vars(intake.drill_response).items():
        facts += [answer_fact(_DRILL_RESPONSE[name], d) for d in drills]
    return facts


@cache
def fields_the_rules_read() -> frozenset[str]:
    """Intake fields some rule condition names. Only these are declared: an answer no rule
    reads would only cost matching time (it stays in Result.intake)."""
    fields = set()

    def walk(conditions):
        for cond in conditions:
            walk(cond.alternatives)
            if cond.kind == "Answer":
                fields.update(v for k, v in cond.fields if k == "field" and isinstance(v, str))

    for info in rules().values():
        walk(info.conditions)
    return frozenset(fields)


def screen(intake: Intake | dict[str, Any], *, trace: bool = True) -> Result:
    """Screen one intake: triage, deficits, plan, precautions, skipped tests and the trace.

    `trace=False` leaves the trace out (Result.trace is empty and how/why_not refuse): for
    batch screening, whose output does not carry it. Every conclusion is the same either way."""
    if not isinstance(intake, Intake):
        intake = Intake.model_validate(intake)
    eng = engine()
    eng.reset()
    read = fields_the_rules_read()
    eng.declare(*(fact for fact in answers(intake) if fact["field"] in read))
    eng.run()
    return _result(intake, eng, trace)


# -- a red flag always wins (docs/design.md, Safety) ------------------------------------------
_SECTIONS = {"symptoms": Symptoms, "movement": Movement, "drill_response": DrillResponse}
_PLACEHOLDER_AGE = 110  # validates any first_episode_age; never declared (the age is dropped)
_SALVAGE_ROUNDS = 12
_PATH_IN_MESSAGE = re.compile(r"^(?:Value error, )?([a-z_]+(?:\.[a-z_]+)*):")


def screen_safety_first(raw: Mapping[str, Any]) -> tuple[Result | None, pydantic.ValidationError | None]:
    """Screen an intake so that an error elsewhere never hides a red flag.

    A valid intake gives `(screen(intake), None)`. An invalid one gives
    `(salvaged_result, error)`: `error` is the original ValidationError, to be shown as it is,
    and `salvaged_result` screens what is left after dropping the answers the errors point at,
    round by round (at most a dozen rounds) until the rest validates:

    - a bad safety answer becomes None (not asked; never "no"); a safety block of the wrong
      type is dropped (nothing asked); an unknown key in the safety block is dropped and every
      question the block does not give becomes not asked (the key may be a misspelt question);
    - pain_worst_week below pain_now drops both pain answers;
    - a bad movement answer is dropped (not tested); a bad item of a list is dropped alone, a
      duplicate item is dropped once; any other bad answer or unknown key is dropped;
    - a bad or missing age: everything else is kept and screened without an age, so no rule
      that needs an age can fire (a child's hip or groin pain, a possible broken hip at 65 or
      over without a fall, sudden severe pain at 50 or over, back pain in a child...), and a
      red flag raised only by a rule that needs the age to be outside a range (the adult hip-
      joint pattern: not a child) is left out; the age when back pain first began is left out
      too (it is checked against the age), so a first episode at 50 or over cannot fire.

    A dropped answer is screened as if it had been left out, with the rule base's own meaning
    of a missing answer (a both-legs symptom whose duration is unreadable counts as new, as when
    the duration was not asked); a bad safety answer raises `safety_not_asked`, never a "no".
    The salvaged result is for its red flags only (its plan, deficits and the rest describe
    answers the person did not give in full): show its triage beside the errors, emergency and
    urgent first. `(None, error)` only when `raw` is not a mapping at all."""
    try:
        return screen(Intake.model_validate(raw)), None
    except pydantic.ValidationError as err:
        error = err
    if not isinstance(raw, Mapping):
        return None, error
    data = _plain_copy(raw)
    age_unknown = False
    for _round in range(_SALVAGE_ROUNDS):
        try:
            intake = Intake.model_validate(data)
            break
        except pydantic.ValidationError as err:
            changed, age_bad = _drop_what_the_errors_name(data, err)
        if age_bad:
            age_unknown = True
            data["age"] = _PLACEHOLDER_AGE
        if not changed and not age_bad:
            intake = _last_resort(data)
            break
    else:
        intake = _last_resort(data)
    if age_unknown:  # the first-episode age is checked against the age: left out with it
        symptoms = intake.symptoms.model_copy(update={"first_episode_age": None})
        intake = intake.model_copy(update={"age": None, "symptoms": symptoms})
    result = screen(intake)
    return (_without_age_exclusions(result) if age_unknown else result), error


def _plain_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_copy(v) for v in value]
    return value


def _drop_what_the_errors_name(data: dict, err: pydantic.ValidationError) -> tuple[bool, bool]:
    """Drop (in place) the answers the errors point at. Returns (changed, age_bad)."""
    changed = age_bad = False
    items_to_drop: dict[tuple, set[int]] = {}
    for e in err.errors():
        loc = tuple(e["loc"])
        if not loc:
            changed |= _drop_named_in_message(data, e.get("msg", ""))
        elif loc[0] == "age":
            age_bad = True
        elif loc[0] == "safety":
            changed |= _drop_safety(data, loc)
        elif loc[0] in _SECTIONS and len(loc) > 1 and isinstance(data.get(loc[0]), dict):
            section = data[loc[0]]
            if loc[:2] == ("symptoms", "pain_worst_week") and e["type"] == "value_error":
                for name in ("pain_now", "pain_worst_week"):
                    if name in section:
                        del section[name]
                        changed = True
                continue
            field = loc[1]
            if (len(loc) > 2 and isinstance(loc[2], int) and isinstance(section.get(field), list)
                    and field in _SECTIONS[loc[0]].model_fields
                    and field != "hip_ir_degrees"):
                items_to_drop.setdefault((loc[0], field), set()).add(loc[2])
            elif field in section:
                del section[field]
                changed = True
        elif (loc[0] == "activities" and len(loc) > 1 and isinstance(loc[1], int)
              and isinstance(data.get("activities"), list)):
            items_to_drop.setdefault(("activities",), set()).add(loc[1])
        elif loc[0] in data:
            del data[loc[0]]
            changed = True
    for path, indexes in items_to_drop.items():
        values = data[path[0]] if len(path) == 1 else data[path[0]][path[1]]
        for i in sorted(indexes, reverse=True):
            if 0 <= i < len(values):
                del values[i]
                changed = True
    return changed, age_bad


def _drop_safety(data: dict, loc: tuple) -> bool:
    block = data.get("safety")
    if len(loc) == 1 or not isinstance(block, dict):
        data.pop("safety", None)  # a block that is not a block: nothing was asked
        return True
    name = loc[1]
    if name in Safety.model_fields:
        if block.get(name, 0) is None:
            return False
        block[name] = None  # a bad answer is not an answer: not asked
        return True
    block.pop(name, None)  # an unknown question may be a misspelt one: what is left unsaid
    for question in Safety.model_fields:  # is not asked, rather than "no"
        block.setdefault(question, None)
    return True


def _drop_named_in_message(data: dict, message: str) -> bool:
    """A model-level error names its field at the start of its message ("activities: each
    value may appear once"): drop a repeated item, or the answer itself."""
    match = _PATH_IN_MESSAGE.match(message)
    if not match:
        return False
    *parents, name = match.group(1).split(".")
    holder: Any = data
    for part in parents:
        holder = holder.get(part) if isinstance(holder, dict) else None
    if not isinstance(holder, dict) or name not in holder:
        return False
    value = holder[name]
    if "appear once" in message and isinstance(value, list):
        kept: list = []
        for item in value:
            if item not in kept:
                kept.append(item)
        holder[name] = kept
        return kept != value
    if parents or name != "age":
        del holder[name]
        return True
    return False


def _last_resort(data: dict) -> Intake:
    """When dropping answers does not converge: the safety block and the age alone."""
    for keep in (("mode", "age", "safety"), ("age", "safety"), ("age",)):
        try:
            return Intake.model_validate({k: data[k] for k in keep if k in data})
        except pydantic.ValidationError:
            continue
    return Intake.model_validate({"age": _PLACEHOLDER_AGE})


def _excludes_an_age(rule_id: str) -> bool:
    def walk(conditions) -> bool:
        return any(walk(c.alternatives) or (
            c.negated and c.kind == "Answer" and ("field", "age") in c.fields)
            for c in conditions)
    return walk(rules()[rule_id].conditions)


def _without_age_exclusions(result: Result) -> Result:
    """A result screened without an age, less the red flags that only a rule needing the age to
    be outside a range raised (that range could not be ruled out)."""
    fired = set(result.rules_fired)
    kept = [hit for hit in result.triage.red_flags
            if any(r.id in fired and not _excludes_an_age(r.id)
                   for r in rules().values() if hit.id in r.concludes)]
    if len(kept) == len(result.triage.red_flags):
        return result
    cat = catalogue()
    level = min((h.level for h in kept), key=TRIAGE_ORDER.index, default="self_care")
    triage = Triage(level=level, label=TRIAGE_LABELS[level],
                    action=kept[0].action if kept else SELF_CARE_ACTION, red_flags=kept,
                    drills_allowed=not any(cat.red_flags[h.id].stops_drills for h in kept),
                    plan_note=CLINICIAN_REVIEW_NOTE if level == "clinician_review" else None)
    return result.model_copy(update={"triage": triage})


# -- reading the conclusions (hipscreen.conclusions) ---------------------------------------------
def _finding_text(finding: FindingLink) -> str:
    label = catalogue().findings[finding.id].label
    return label if finding.side == "both" else f"{label} ({translate(finding.side)})"


def _screening_reasons(run: EngineRun) -> conclusions.Reasons:
    """Why each drill of a screening's plan: the deficits it serves, each with the findings that
    show it (one sentence per deficit, repeated by every drill serving it), then the swaps that
    brought it in, then its plan notes."""
    cat = catalogue()
    said: dict[int, str] = {}

    def origins(candidate) -> tuple[list[str], list[str]]:
        serves: list[str] = []
        why: list[str] = []
        for fact in run.premises(candidate):
            kind = kind_of(fact)
            if kind == "Candidate":
                s, w = origins(fact)
                serves += s
                why += w
            elif kind == "Deficit":
                serves.append(fact["id"])
                pid = fact["__factid__"]
                if pid not in said:
                    findings = sorted({_finding_text(f) for e in run.links(fact)
                                       for f in e.findings})
                    said[pid] = _("Trains {deficit} ({side}, {confidence}), shown by: "
                                  "{findings}.", deficit=cat.deficits[fact["id"]].label.lower(),
                                  side=translate(fact["side"]),
                                  confidence=translate(fact["confidence"]),
                                  findings="; ".join(findings) or _("your answers"))
                why.append(said[pid])
        if candidate["replaces"]:
            why += [conclusions.swap_words(rep) for rep in run.of("Replaced")
                    if rep["drill"] == candidate["replaces"] and rep["by"] == candidate["drill"]]
        return serves, why

    def reasons(candidate, _first, _swaps, notes):
        serves, why = origins(candidate)
        return list(dict.fromkeys(why)) + notes, list(dict.fromkeys(serves)), None

    return reasons


def _skipped(intake: Intake) -> list[SkippedTest]:
    tests = catalogue().movement_tests
    skipped = []
    for name, value in vars(intake.movement).items():  # the fields, as in answers()
        if value is not None:
            continue
        if name == "hip_ir_degrees" and (intake.mode == "self"
                                         or intake.movement.hip_ir_limited is not None):
            continue  # a measured angle is only expected from a clinician who gave no IR answer
        if name == "hip_ir_limited" and intake.movement.hip_ir_degrees is not None:
            continue
        skipped.append(SkippedTest(field=f"movement.{name}", label=tests[name].label,
                                   would_check=tests[name].would_check))
    return skipped


def _result(intake: Intake, eng: ScreeningEngine, trace: bool = True) -> Result:
    run = EngineRun(eng)
    triage = conclusions.triage(run, action=translate(SELF_CARE_ACTION),
                                plan_note=translate(CLINICIAN_REVIEW_NOTE))
    plan = conclusions.plan(run, _screening_reasons(run)) if triage.drills_allowed else []
    return Result(
        intake=intake, triage=triage, deficits=conclusions.deficits(run), plan=plan,
        precautions=conclusions.precautions(run), skipped_tests=_skipped(intake),
        safety_net=[item.text for item in catalogue().safety_net],
        rules_fired=list(eng.fired), trace=conclusions.lazy_trace(run) if trace else [],
        traced=trace)
