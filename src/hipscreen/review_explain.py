"""HOW and WHY NOT for a check-in's review: why a decision was (not) made for a drill, why a
drill is (not) in the next plan, and the justification trees of its conclusions."""

from __future__ import annotations

from typing import Any

from hipscreen.explain import HowNode, WhyNot, WhyNotCondition, WhyNotRule, condition_words
from hipscreen.explain import how as _how
from hipscreen.explain import why_not as _why_not
from hipscreen.i18n import _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.review_words import SIDES


def _holds_for(cond, rev: Any, drill: str) -> bool:
    from hipscreen.rules.registry import admits

    if cond.alternatives:
        return any(_holds_for(a, rev, drill) for a in cond.alternatives)
    if cond.kind == "InitialFact":
        return True
    present = any(
        s.kind == cond.kind and s.data.get("drill", drill) == drill and all(
            k in s.data and admits(v, tuple(s.data[k]) if isinstance(s.data[k], list) else s.data[k])
            for k, v in cond.fields)
        for s in rev.trace)
    return present != cond.negated


def decision_why_not(rev: Any, decision: str, drill: str) -> WhyNot:
    from hipscreen.rules.registry import rules_concluding

    made = rev.decision_of(drill)
    if made is None:
        planned = ", ".join(p.drill for p in rev.baseline.plan) or _("none")
        return WhyNot(id=decision, concluded=False,
                      summary=_("{drill} was not under review (the plan under review: "
                                "{planned}).", drill=drill, planned=planned))
    reports = []
    for rule in rules_concluding(decision):
        conditions = []
        for cond in rule.conditions:
            if cond.kind == "InitialFact":
                continue
            met = _holds_for(cond, rev, drill)
            status = "met" if met else "blocked" if cond.negated else "missing"
            conditions.append(WhyNotCondition(text=condition_words(cond), status=status))
        reports.append(WhyNotRule(rule=rule.id, rule_text=rule.text,
                                  source=catalogue().cite(rule.source),
                                  fired=rule.id in made.rules,
                                  conditions=conditions))
    if made.decision == decision:
        return WhyNot(id=decision, concluded=True,
                      summary=f"{drill}: {made.text}", rules=[r for r in reports if r.fired])
    unmet = [_("{rule} needs {conditions}", rule=r.rule, conditions=_(" and ").join(
                 c.text for c in r.conditions if c.status != "met")) for r in reports]
    summary = (_("{drill} was not decided '{decision}': the decision was '{made}' ({text})",
                 drill=drill, decision=decision, made=made.decision, text=made.text)
               + " " + ("; ".join(unmet) + "." if unmet else ""))
    return WhyNot(id=decision, concluded=False, summary=summary.strip(), rules=reports)


def drill_why_not(rev: Any, drill: str) -> WhyNot:
    from hipscreen.rules.registry import rules

    cat = catalogue()
    planned = [p for p in rev.plan if p.drill == drill]
    if planned:
        return WhyNot(id=drill, concluded=True, summary=_(
            "{drill} is in the next plan ({side}). {why}", drill=drill,
            side=SIDES[planned[0].side], why=" ".join(planned[0].why)).strip())
    if not rev.triage.drills_allowed:
        return WhyNot(id=drill, concluded=False, summary=_(
            "{drill}: no drills at all - {action}", drill=drill, action=rev.triage.action))
    made = rev.decision_of(drill)
    steps = [s for s in rev.trace if s.kind in ("Blocked", "Replaced") and s.data["drill"] == drill]
    if steps:
        reasons = [(_("replaced by {by} because {why} (rule {rule})", by=s.data["by"],
                      why=cat.precautions[s.data["precaution"]].text.strip(), rule=s.rule)
                    if s.kind == "Replaced" else
                    _("left out because {why} (rule {rule})",
                      why=cat.precautions[s.data["precaution"]].text.strip(), rule=s.rule))
                   for s in steps]
        return WhyNot(id=drill, concluded=False, summary=f"{drill}: " + " ".join(reasons))
    if made is not None:
        return WhyNot(id=drill, concluded=False, summary=f"{drill}: {made.text}")
    under = ", ".join(p.drill for p in rev.baseline.plan) or _("none")
    return WhyNot(id=drill, concluded=False,
                  summary=_("{drill}: it was not in the plan under review ({under}) and no "
                            "decision leads to it: the next plan only holds the drills under "
                            "review, harder, the same or easier.", drill=drill, under=under),
                  rules=[WhyNotRule(rule=r.id, rule_text=r.text, source=cat.cite(r.source),
                                    fired=r.id in rev.rules_fired, conditions=[])
                         for r in rules().values() if "next_plan" in r.concludes])



def how(rev: Any, conclusion: str) -> list[HowNode]:
    """Justification trees for a conclusion id of a review: a decision (progress, keep, regress,
    stop), 'worse', a triage level, a red flag or a drill of the next plan."""
    return _how(rev, conclusion)


def decision_how(rev: Any, drill: str) -> list[HowNode]:
    """The justification tree of the decision for one drill under review."""
    ids = {s.fact_id for s in rev.trace if s.kind == "DrillDecision" and s.data["drill"] == drill}
    decided = {s.data["decision"] for s in rev.trace if s.fact_id in ids}
    return [n for d in sorted(decided) for n in _how(rev, d) if n.fact_id in ids]


def why_not(rev: Any, conclusion: str, drill: str | None = None) -> WhyNot:
    """Why a decision was (not) made for `drill`, or why a drill is (not) in the next plan,
    or, for any other id, as for a screening."""
    from hipscreen.rules.review import DECISIONS

    if conclusion in DECISIONS:
        if drill is None:
            return _why_not(rev, conclusion)
        return decision_why_not(rev, conclusion, drill)
    if conclusion in catalogue().drills:
        return drill_why_not(rev, conclusion)
    return _why_not(rev, conclusion)
