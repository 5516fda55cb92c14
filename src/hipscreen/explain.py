"""HOW and WHY NOT: justification trees and missing conditions, read from a Result's trace.

Functions over the data of a Result (or a check-in's Review): ``how(result, id)`` and
``why_not(result, id)``. The Result model knows nothing of this module or of the rule engine;
this module reads the rules (`hipscreen.rules.registry`) to say what a rule needed."""

from __future__ import annotations

from typing import Literal

from experta.fieldconstraint import L, P, W
from pydantic import BaseModel, ConfigDict

from hipscreen.knowledge.catalogue import TRIAGE_ORDER, catalogue
from hipscreen.result import Result, TraceStep
from hipscreen.rules.meta import ThresholdCheck
from hipscreen.rules.registry import Condition, RuleInfo, admits, rules, rules_concluding
from hipscreen.rules.review import DECISIONS


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HowNode(_Answer):
    """A node of a justification tree: a fact, the rule that concluded it, and its premises."""

    fact_id: int
    text: str
    rule: str | None = None
    rule_text: str | None = None
    source: str | None = None
    premises: list[HowNode] = []


class WhyNotCondition(_Answer):
    text: str
    status: Literal["met", "missing", "not_tested", "blocked"]


class WhyNotRule(_Answer):
    rule: str
    rule_text: str
    source: str
    fired: bool
    conditions: list[WhyNotCondition]


class WhyNot(_Answer):
    id: str
    concluded: bool
    summary: str
    rules: list[WhyNotRule] = []


COMBINE_RULE = "evidence_combines_into_deficits"
CANDIDATE_RULE = "deficits_call_for_their_drills"


class UnknownConclusion(ValueError):
    """An id that names no deficit, drill, finding, red flag or triage level."""


def known_ids() -> dict[str, str]:
    cat = catalogue()
    ids = {level: "triage" for level in TRIAGE_ORDER}
    ids |= {k: "red flag" for k in cat.red_flags}
    ids |= {k: "finding" for k in cat.findings}
    ids |= {k: "deficit" for k in cat.deficits}
    ids |= {k: "drill" for k in cat.drills}
    ids |= {k: "precaution" for k in cat.precautions}
    ids |= {k: "decision" for k in DECISIONS}  # a check-in's review (rules/review.py)
    ids["worse"] = "review"
    return ids


def _need_trace(result: Result) -> None:
    if not getattr(result, "traced", True):
        raise ValueError("this result was screened with trace=False; screen again with the trace")


def _check_id(conclusion: str) -> str:
    kinds = known_ids()
    if conclusion not in kinds:
        raise UnknownConclusion(
            f"unknown id '{conclusion}': expected a deficit ({', '.join(catalogue().deficits)}), "
            f"a drill ({', '.join(catalogue().drills)}), a finding, a red flag or a triage level")
    return kinds[conclusion]


# -- HOW ----------------------------------------------------------------------------------
def fact_text(step: TraceStep) -> str:
    """A fact of the trace in plain words."""
    d, cat = step.data, catalogue()
    match step.kind:
        case "Answer":
            value = d["value"]
            if isinstance(value, list | tuple):
                value = f"left {value[0]} deg, right {value[1]} deg"
            return f"answer {d['field']} = {value}"
        case "RedFlag":
            return f"red flag: {cat.red_flags[d['id']].label} ({d['level']})"
        case "Triage":
            return f"triage: {d['level']}"
        case "DrillsStopped":
            return f"no drills (red flag {d['red_flag']})"
        case "Finding":
            side = "" if d["side"] == "both" else f" ({d['side']})"
            return f"finding: {cat.findings[d['id']].label}{side}"
        case "Evidence":
            return f"evidence for {d['deficit']} ({d['side']}), weight {d['weight']}"
        case "Deficit":
            return (f"deficit: {cat.deficits[d['id']].label} ({d['side']}), {d['confidence']}, "
                    f"certainty {d['certainty']}")
        case "Candidate":
            instead = f" instead of {d['replaces']}" if d.get("replaces") else ""
            return f"candidate drill {d['drill']} ({d['side']}){instead}"
        case "Replaced":
            return f"{d['drill']} replaced by {d['by']} ({d['precaution']})"
        case "Blocked":
            return f"{d['drill']} removed ({d['precaution']})"
        case "Planned":
            return f"plan: {cat.drills[d['drill']].name} ({d['side']})"
        case "PrecautionApplies":
            drills = f" ({', '.join(d['drills'])})" if d["drills"] else ""
            return f"precaution: {cat.precautions[d['id']].label}{drills}"
        case "PlanNote":
            return f"note for {cat.drills[d['drill']].name} ({d['side']}): {d['note']}"
        case "UnderReview":
            return f"under review: {cat.drills[d['drill']].name} ({d['side']})"
        case "DrillReport":
            return (f"check-in, {cat.drills[d['drill']].name}: {d['sessions']} sessions, pain during "
                    f"{d['pain_during']}/10, settled next morning {d['settled_next_morning']}, "
                    f"too easy {d['too_easy']}")
        case "Felt":
            return f"check-in, {cat.drills[d['drill']].name}: felt {d['sign']}"
        case "Change":
            what = f"PSFS '{d['activity']}'" if d["activity"] else d["measure"]
            return f"{what}: {d['before']} -> {d['now']} (worse by {d['worse_by']})"
        case "Worsened":
            return f"worse: {d['measure']}" + (f" '{d['activity']}'" if d["activity"] else "")
        case "RegressReason":
            return f"reason to regress {d['drill']}: {d['reason']}"
        case "DrillDecision":
            to = f" -> {d['to']}" if d["to"] and d["to"] != d["drill"] else ""
            return f"decision for {cat.drills[d['drill']].name} ({d['side']}): {d['decision']}{to}"
    return f"{step.kind} {d}"


def _matches_conclusion(step: TraceStep, conclusion: str) -> bool:
    d = step.data
    match step.kind:
        case "Triage":
            return d["level"] == conclusion
        case "RedFlag" | "Finding" | "Deficit":
            return d["id"] == conclusion
        case "Planned":
            return d["drill"] == conclusion
        case "PrecautionApplies":
            return d["id"] == conclusion
        case "Replaced" | "Blocked":
            return d["precaution"] == conclusion
        case "DrillDecision":
            return d["decision"] == conclusion
        case "Worsened":
            return conclusion == "worse"
    return False


def how(result: Result, conclusion: str) -> list[HowNode]:
    """Justification trees for every fact that states `conclusion` (a triage level, red flag,
    finding, deficit, drill...), down to the answers. ValueError on a result screened without
    its trace; `UnknownConclusion` on an id that names nothing."""
    _need_trace(result)
    _check_id(conclusion)
    steps = {s.fact_id: s for s in result.trace}

    def node(fact_id: int, seen: frozenset[int]) -> HowNode:
        step = steps[fact_id]
        premises = [] if fact_id in seen else [
            node(p, seen | {fact_id}) for p in step.premises if p in steps]
        return HowNode(fact_id=fact_id, text=fact_text(step), rule=step.rule,
                       rule_text=step.rule_text, source=step.source, premises=premises)

    return [node(s.fact_id, frozenset()) for s in result.trace
            if _matches_conclusion(s, conclusion)]


# -- WHY NOT ------------------------------------------------------------------------------
def _holds(cond: Condition, result: Result) -> bool:
    if cond.alternatives:
        return any(_holds(a, result) for a in cond.alternatives)
    if cond.kind == "InitialFact":
        return True
    present = any(
        s.kind == cond.kind and all(
            k in s.data and admits(v, _as_fact_value(s.data[k])) for k, v in cond.fields)
        for s in result.trace)
    return present != cond.negated


def _as_fact_value(value):
    return tuple(value) if isinstance(value, list) else value


def _literal(cond: Condition, key: str):
    for k, v in cond.fields:
        if k == key:
            return v.value if isinstance(v, L) else v if isinstance(v, str) else None
    return None


def _answered(result: Result) -> dict:
    """The answers a result was reasoned from, as nested data: an intake's, or what a check-in's
    review gives (`Review.answers`)."""
    answers = getattr(result, "answers", None)
    return answers() if callable(answers) else result.intake.model_dump()


def _untested_fields(result: Result, fields: list[str]) -> list[str]:
    untested = []
    movement = (_answered(result).get("movement") or {}) if fields else {}
    for field in fields:
        section, _, name = field.partition(".")
        if section == "movement" and movement.get(name) is None:
            untested.append(field)
    return untested


def _condition_status(cond: Condition, result: Result) -> WhyNotCondition:
    if _holds(cond, result):
        return WhyNotCondition(text=condition_words(cond), status="met")
    if cond.negated:
        return WhyNotCondition(text=condition_words(cond), status="blocked")
    fields: list[str] = []
    if cond.kind == "Finding" and (fid := _literal(cond, "id")):
        fields = catalogue().findings[fid].answers
    elif cond.kind == "Answer" and (field := _literal(cond, "field")):
        fields = [field]
    untested = _untested_fields(result, fields)
    if fields and len(untested) == len(fields):
        return WhyNotCondition(
            text=f"{condition_words(cond)}: not tested ({', '.join(untested)})", status="not_tested")
    answered = "; ".join(_answer_summary(result, f) for f in fields)
    suffix = f": answered {answered}" if answered else ""
    return WhyNotCondition(text=f"{condition_words(cond)}{suffix}", status="missing")


def _answer_summary(result: Result, field: str) -> str:
    value = _answered(result)
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value in (None, [], ()):
        shown = "nothing" if value is not None or not field.startswith("movement.") else "not tested"
    else:
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
    return f"{field} = {shown}"


def condition_words(cond: Condition) -> str:
    """A rule condition in words ("finding: Hip shift in a squat or hinge", "answer: In a hip
    hinge is My weight shifts to one side", "no red flag") instead of its pattern code: the one
    wording of a condition, for WHY NOT, a check-in's why-not and the app's rule table. In
    English (a rule's conditions have no catalogue)."""
    from hipscreen.words import field_label, value_words

    if cond.alternatives:
        return " or ".join(condition_words(a) for a in cond.alternatives)
    fields = dict(cond.fields)
    cat = catalogue()

    def literal(name: str):
        value = fields.get(name)
        value = value.value if isinstance(value, L) else value
        return value if isinstance(value, str | bool | int) else None

    ident = literal("id")
    if cond.kind == "Finding" and ident in cat.findings:
        words = f"finding: {cat.findings[ident].label}"
        if literal("side") is not None and cat.findings[ident].sided:
            words += f" ({literal('side')})"
    elif cond.kind == "Answer" and literal("field"):
        field, value = literal("field"), fields.get("value")
        words = f"answer: {field_label(field)}"
        if literal("value") is not None:
            words += f" is {value_words(field, literal('value'))}"
        elif value is not None and not isinstance(value, W):
            words += f" {_shown(value)}"
    elif cond.kind == "RedFlag":
        words = (f"red flag: {cat.red_flags[ident].label}" if ident in cat.red_flags
                 else "a red flag" + (" that stops drills" if fields.get("stops_drills") else ""))
    elif cond.kind == "Deficit":
        words = f"deficit: {cat.deficits[ident].label}" if ident in cat.deficits else "a deficit"
    elif cond.kind in ("Candidate", "Planned", "Blocked", "Replaced"):
        drill = literal("drill")
        words = (f"{cond.kind.lower()} drill: {cat.drills[drill].name}" if drill in cat.drills
                 else f"a {cond.kind.lower()} drill")
    elif cond.kind == "Evidence":
        words = "any evidence for a deficit"
    else:
        words = cond.text()
    if cond.negated and not words.startswith("no "):  # "no red flag", not "no a red flag"
        words = "no " + words.removeprefix("a ").removeprefix("any ")
    return words


def _shown(value) -> str:
    """A field's test in words: a threshold as the threshold says it ('at least 8/10')."""
    if isinstance(value, P) and isinstance(value.match, ThresholdCheck):
        return catalogue().thresholds[value.match.name].words()
    if isinstance(value, L):
        return repr(value.value)
    return "(see the rule text)"


def _rule_report(rule: RuleInfo, result: Result) -> WhyNotRule:
    conditions = [_condition_status(c, result) for c in rule.conditions if c.kind != "InitialFact"]
    return WhyNotRule(rule=rule.id, rule_text=rule.text, source=catalogue().cite(rule.source),
                      fired=rule.id in result.rules_fired, conditions=conditions)


def _deficit_why_not(result: Result, deficit: str) -> WhyNot:
    concluded = [d for d in result.deficits if d.id == deficit]
    evidence_rules = [r for r in rules_concluding(deficit) if r.id != COMBINE_RULE]
    reports = [_rule_report(r, result) for r in evidence_rules]
    if concluded:
        parts = [f"{d.side}, {d.confidence}, certainty {d.certainty}" for d in concluded]
        summary = f"{deficit} was concluded ({'; '.join(parts)}) by {', '.join(concluded[0].evidence)}."
        return WhyNot(id=deficit, concluded=True, summary=summary,
                      rules=[r for r in reports if r.fired])
    weights = [s.data for s in result.trace
               if s.kind == "Evidence" and s.data["deficit"] == deficit]
    if weights:
        got = ", ".join(f"{w['rule']} ({w['side']}, {w['weight']})" for w in weights)
        summary = (f"{deficit}: the evidence ({got}) stayed below 'possible' "
                   f"(certainty {catalogue().threshold('possible_certainty')}) on every side.")
    else:
        reasons = []
        for rep in reports:
            unmet = [c.text for c in rep.conditions if c.status != "met"]
            reasons.append(f"{rep.rule} needs {' and '.join(unmet)}")
        summary = f"{deficit}: no rule gave evidence - " + "; ".join(reasons) + "."
    return WhyNot(id=deficit, concluded=False, summary=summary, rules=reports)


def _drill_why_not(result: Result, drill: str) -> WhyNot:
    cat = catalogue()
    planned = [p for p in result.plan if p.drill == drill]
    if planned:
        why = " ".join(planned[0].why)
        return WhyNot(id=drill, concluded=True,
                      summary=f"{drill} is in the plan ({planned[0].side}). {why}".strip())
    if not result.triage.drills_allowed:
        flags = ", ".join(f"{f.id} ({f.level})" for f in result.triage.red_flags
                          if cat.red_flags[f.id].stops_drills)
        return WhyNot(id=drill, concluded=False,
                      summary=f"{drill}: no drills at all - red flag {flags} stops the plan. "
                              f"{result.triage.action}")
    steps = [s for s in result.trace if s.kind in ("Blocked", "Replaced") and s.data["drill"] == drill]
    if steps:
        reasons = []
        for s in steps:
            prec = cat.precautions[s.data["precaution"]]
            change = f"replaced by {s.data['by']}" if s.kind == "Replaced" else "left out"
            reasons.append(f"{change} because {prec.text.strip()} (rule {s.rule})")
        return WhyNot(id=drill, concluded=False, summary=f"{drill}: " + " ".join(reasons),
                      rules=[_rule_report(rules()[s.rule], result) for s in steps if s.rule])
    callers = [d for d, entry in cat.deficits.items() if drill in entry.drills]
    parents = [d for d, entry in cat.drills.items() if entry.regresses_to == drill]
    parts = []
    if callers:
        parts.append("it trains " + " or ".join(callers) + ", and none was concluded: "
                     + " ".join(_deficit_why_not(result, d).summary.rstrip(".") for d in callers))
    if parents:
        parts.append("it stands in for " + " or ".join(parents)
                     + " only when a precaution (support, regression) swaps it in, and none did")
    return WhyNot(id=drill, concluded=False, summary=f"{drill}: " + "; ".join(parts) + ".",
                  rules=[_rule_report(rules()[CANDIDATE_RULE], result)])


def why_not(result: Result, conclusion: str) -> WhyNot:
    """Why `conclusion` (a deficit, drill, finding or red flag id) was not concluded: the rules
    that could have concluded it and which of their conditions were missing or not tested (or
    how it was, if it was). ValueError on a result screened without its trace."""
    _need_trace(result)
    kind = _check_id(conclusion)
    if kind == "deficit":
        return _deficit_why_not(result, conclusion)
    if kind == "drill":
        return _drill_why_not(result, conclusion)
    concluded = bool(how(result, conclusion))
    reports = [_rule_report(r, result) for r in rules_concluding(conclusion)]
    if concluded:
        summary = f"{conclusion} was concluded by {', '.join(r.rule for r in reports if r.fired)}."
    else:
        reasons = [f"{r.rule} needs " + " and ".join(c.text for c in r.conditions if c.status != "met")
                   for r in reports]
        summary = f"{conclusion}: " + ("; ".join(reasons) or "no rule concludes it") + "."
    return WhyNot(id=conclusion, concluded=concluded, summary=summary, rules=reports)
