"""Reading a check-in run's conclusions into a Review: scores, decisions per drill, the next plan."""

from __future__ import annotations

import datetime as dt

from hipscreen.i18n import _
from hipscreen.knowledge.catalogue import TRIAGE_ORDER, catalogue
from hipscreen.knowledge.checkin import CheckIn
from hipscreen.result import DISCLAIMER
from hipscreen.review_model import Baseline, DrillDecisionItem, Review, ScoreChange
from hipscreen.review_words import (
    KEEP_GOING_ACTION,
    NO_PLAN_NOTE,
    REVIEW_PLAN_NOTE,
    SIGN_WORDS,
    WORSE_ACTION,
    WORSE_NOTE,
    threshold_words,
)


def read_review(checkin: CheckIn, baseline: Baseline, eng, date: dt.date) -> Review:
    """The Review of one check-in, read from the engine's facts after its run."""
    from hipscreen import conclusions

    run = conclusions.EngineRun(eng)
    facts = run.by_kind
    changes = _changes(facts)
    worse = bool([c for c in changes if c.worse])
    triage = conclusions.triage(run, action=_(WORSE_ACTION) if worse else _(KEEP_GOING_ACTION),
                                plan_note=_(REVIEW_PLAN_NOTE))
    waiting = _awaiting_clinician(run, changes)
    decisions = _decisions(run, baseline, waiting)
    plan = conclusions.plan(run, _review_reasons(run, waiting)) if triage.drills_allowed else []
    notes = []
    if not baseline.drills_allowed or not baseline.plan:
        notes.append(_(NO_PLAN_NOTE))
    notes += [_(WORSE_NOTE, change=c.text(), mic=_mic_words(c)) for c in changes if c.worse]
    return Review(disclaimer=_(DISCLAIMER), checkin=checkin, date=date, baseline=baseline,
                  triage=triage, changes=changes, notes=notes, decisions=decisions, plan=plan,
                  precautions=conclusions.precautions(run),
                  safety_net=[item.text for item in catalogue().safety_net],
                  rules_fired=list(eng.fired), trace=conclusions.trace_steps(run))


def _mic_words(change: ScoreChange) -> str:
    name = ("nprs_minimal_important_change" if change.measure == "pain_worst_week"
            else "psfs_minimal_important_change")
    return _("a change that matters ({words})", words=threshold_words(name))


def _changes(facts) -> list[ScoreChange]:
    worse = {(f["measure"], f["activity"]) for f in facts.get("Worsened", [])}
    return [ScoreChange(measure=f["measure"], activity=f["activity"], before=f["before"],
                        now=f["now"], worse_by=f["worse_by"],
                        worse=(f["measure"], f["activity"]) in worse)
            for f in facts.get("Change", [])]


def _awaiting_clinician(run, changes: list[ScoreChange]) -> str | None:
    """What a clinician review at this check-in is waiting for, in words: the labels of the red
    flags and the worse scores behind the triage fact the rules concluded (None when there is
    none). Only shown for a decision a rule made from that triage fact: these are its words,
    not a decision."""
    from hipscreen.rules.facts import kind_of

    triage = next((f for f in run.of("Triage") if f["level"] == "clinician_review"), None)
    if triage is None:
        return None
    cat = catalogue()
    why: list[str] = []
    for premise in run.premises(triage):
        if kind_of(premise) == "RedFlag":
            why.append(cat.red_flags[premise["id"]].label)
        elif kind_of(premise) == "Worsened":
            why += [_("worse since the last record ({change})", change=c.text()) for c in changes
                    if c.worse and (c.measure, c.activity) == (premise["measure"],
                                                                premise["activity"])]
    return "; ".join(dict.fromkeys(why)) or None


def _held_words(waiting: str | None) -> str:
    if waiting:
        return _("Kept at this level until a clinician has seen you: {why}", why=waiting)
    return _("Kept at this level until a clinician has seen you")


def _reason_words(reason: str, report) -> str:
    if reason == "pain_during":
        return _("pain during it reached {pain}/10 ({limit} is more pain than is safe to train "
                 "with)", pain=report["pain_during"], limit=threshold_words("drill_pain_regress_above"))
    if reason == "not_settled":
        return _("the pain had not settled by the next morning")
    return _("you felt {sign}", sign=SIGN_WORDS.get(reason, reason))


def _decisions(run, baseline: Baseline, waiting: str | None) -> list[DrillDecisionItem]:
    from hipscreen.rules.facts import kind_of

    cat = catalogue()
    facts = run.by_kind
    reports = {f["drill"]: f for f in facts.get("DrillReport", [])}
    order = {p.drill: i for i, p in enumerate(baseline.plan)}
    items = []
    for fact in facts.get("DrillDecision", []):
        drill, decision, to = fact["drill"], fact["decision"], fact["to"]
        report = reports.get(drill)
        premises = run.premises(fact)
        kinds = {kind_of(p) for p in premises}
        rules_ = run.rules_of(fact)
        reasons = [_reason_words(p["reason"], report) for p in premises
                   if kind_of(p) == "RegressReason" and p["drill"] == drill]
        see_clinician = False
        name = cat.drills[drill].name
        to_name = cat.drills[to].name if to else None
        if decision == "stop" and "DrillsStopped" in kinds:
            flags = ", ".join(f["id"] for f in facts.get("RedFlag", []) if f["stops_drills"])
            reasons = [_("a red flag at this check-in stops every drill ({flags})", flags=flags)]
            text = _("Stop: {reason}. {action}", reason=reasons[0], action=_stop_action(facts))
            see_clinician = True
        elif decision == "stop":
            text = _("Stop: {reasons}, and it has no easier variant left. Show it to a clinician "
                     "before you try it again.", reasons="; ".join(reasons))
            see_clinician = True
        elif decision == "regress":
            text = _("Make it easier - the {name} instead: {reasons}.", name=to_name.lower(),
                     reasons="; ".join(reasons))
        elif decision == "progress":
            safe = threshold_words("drill_pain_progress_below")
            reasons = [_("pain during it was {pain}/10 ({safe}, the safe zone)",
                         pain=report["pain_during"], safe=safe),
                       _("it settled by the next morning"), _("nothing felt that should not be"),
                       _("it was too easy")]
            if to != drill:
                text = _("Progress to the {name}: {reasons}.", name=to_name.lower(),
                         reasons="; ".join(reasons))
            else:
                text = _("Progress to a harder version ({progression}): {reasons}.",
                         progression=cat.drills[drill].progression.rstrip("."),
                         reasons="; ".join(reasons))
        elif "Triage" in kinds:  # ready to progress, held by a rule until a clinician has seen you
            safe = threshold_words("drill_pain_progress_below")
            reasons = [_("it was ready to be made harder (pain during it was {pain}/10, {safe}; "
                         "settled by the next morning; too easy)", pain=report["pain_during"],
                         safe=safe), _held_words(waiting)]
            text = _("Keep it as it is: {reason}. {held}.", reason=reasons[0], held=reasons[1])
        elif report is None:
            reasons = [_("the check-in says it was not tried")]
            text = _("Keep it as it was: the check-in says it was not tried.")
        elif any(kind_of(p) == "RegressReason" for p in premises):
            harder = next(p["drill"] for p in premises if kind_of(p) == "RegressReason")
            reasons = [_("it was easy and settled, but the {name} it would move up to needs making "
                         "easier first", name=cat.drills[harder].name.lower())]
            text = _("Keep it as it is: {reasons}.", reasons=reasons[0])
        else:
            reasons = _keep_reasons(report)
            text = _("Keep it as it is: {reasons}.", reasons="; ".join(reasons))
        items.append(DrillDecisionItem(
            drill=drill, name=name, side=fact["side"], decision=decision, to=to, to_name=to_name,
            tried=report is not None, reasons=reasons, text=text, rules=rules_,
            see_clinician=see_clinician))
    items.sort(key=lambda d: order.get(d.drill, len(order)))
    return items


def _stop_action(facts) -> str:
    flags = sorted(facts.get("RedFlag", []), key=lambda f: TRIAGE_ORDER.index(f["level"]))
    return catalogue().red_flags[flags[0]["id"]].action if flags else ""


def _keep_reasons(report) -> list[str]:
    cat = catalogue()
    safe = cat.thresholds["drill_pain_progress_below"]
    reasons = [_("pain during it was {pain}/10 and settled by the next morning",
                 pain=report["pain_during"])]
    if not report["too_easy"]:
        reasons.append(_("it is not too easy yet"))
    elif not safe.holds(report["pain_during"]):
        reasons.append(_("it felt too easy, but the pain during it was not {safe} (the safe zone) "
                         "yet", safe=threshold_words("drill_pain_progress_below")))
    return reasons


def _review_reasons(run, waiting: str | None):
    """Why each drill of the next plan (`hipscreen.conclusions.plan`): the precautions' swaps
    that brought it in, latest first, then what the check-in decided for the drill it came from,
    then its plan notes."""
    from hipscreen.rules.facts import kind_of

    cat = catalogue()

    def reasons(candidate, first, swaps, notes):
        drill = cat.drills[candidate["drill"]]
        why = [_("It takes the place of the {name}. {precaution}",
                 name=cat.drills[rep["drill"]].name.lower(),
                 precaution=cat.precautions[rep["precaution"]].text.strip()) for rep in swaps]
        replaces = None
        for decision in run.premises(first):
            if kind_of(decision) != "DrillDecision":
                continue
            old = cat.drills[decision["drill"]].name.lower()
            if decision["decision"] == "regress":
                why.append(_("The easier variant of the {name}, after your check-in.", name=old))
                replaces = replaces or decision["drill"]
            elif decision["decision"] == "progress" and decision["to"] != decision["drill"]:
                why.append(_("The step up from the {name}, after your check-in.", name=old))
            elif decision["decision"] == "progress":
                why.append(_("Progressed after your check-in: {progression}",
                             progression=drill.progression))
            elif any(kind_of(p) == "Triage" for p in run.premises(decision)):
                why.append(f"{_held_words(waiting)}.")
            else:
                why.append(_("Kept from your plan."))
        return list(dict.fromkeys(why + notes)), [], replaces

    return reasons

