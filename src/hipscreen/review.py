"""review(checkin, baseline) -> Review: a check-in run through the rule base against the previous
record (docs/design.md "Follow-up: check-ins and records").

The previous record is a `Baseline`: the plan under review, the worst pain and the PSFS scores it
holds. It comes from a screening's Result (`Baseline.of_result`), from an earlier Review
(`Baseline.of_review`), or from a saved record. The check-in's answers become facts (its safety
questions as the intake's, so the safety rules triage them exactly as at the first screening; one
fact per tried drill and per sign felt; each score against the previous one), the same engine
runs, and the review stage (rules/review.py) decides per drill and builds the next plan. As with
a screening, nothing here concludes anything: the Review only reads the engine's facts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hipscreen.explain import HowNode, WhyNot, WhyNotCondition, WhyNotRule
from hipscreen.i18n import LANGUAGES, N_, Words, _, translate
from hipscreen.knowledge.catalogue import TRIAGE_ORDER, catalogue
from hipscreen.knowledge.checkin import CheckIn, psfs_key
from hipscreen.result import (
    DISCLAIMER,
    LEVELS_THAT_STOP_DRILLS,
    PlanItem,
    PrecautionApplied,
    RedFlagHit,
    Result,
    TraceStep,
    Triage,
)
from hipscreen.rules.review import DECISIONS

Side = Literal["left", "right", "both"]
Decision = Literal["progress", "keep", "regress", "stop"]

# The constants are English message ids (N_): each is translated where it is read (`_()`), and
# the tables (Words) in the language of the moment they are read.
WORSE_ACTION = N_("Your pain or function is worse than at your last record by a change that "
                  "matters: talk to a clinician before you go on with the plan.")
KEEP_GOING_ACTION = N_("Go on with the new plan below. Read the list of when to see a clinician.")
REVIEW_PLAN_NOTE = N_("Go on with the plan once a clinician agrees.")
NO_PLAN_NOTE = N_("No plan was under review: the last record gave no drills. A new screening, or "
                  "a clinician, gives the next plan.")
WORSE_NOTE = N_("Worse since the last record: {change}, {mic}.")
SIGN_WORDS = Words({"low_back_pinch": N_("a low back pinch"),
                    "front_hip_pinch": N_("a pinch at the front of the hip"),
                    "hamstring_cramp": N_("a hamstring cramp"),
                    "knee_caving_in": N_("the knee caving in")})
DECISION_WORDS = Words({"progress": N_("Progress"), "keep": N_("Keep"),
                        "regress": N_("Make it easier"), "stop": N_("Stop")}, context="decision")
MEASURE_WORDS = Words({"pain_worst_week": N_("worst pain of the last week")})
SIDES = Words({"left": N_("left"), "right": N_("right"), "both": N_("both")}, context="side")
"""A side as the review's text names it in brackets ("Glute bridge (left)")."""


def is_worse_note(note: str) -> bool:
    """Whether one of a Review's notes is a "worse since the last record" note, in any language
    (the text shows those next to the scores, not again among the notes)."""
    heads = tuple(translate(WORSE_NOTE, lang=lang).partition("{")[0] for lang in LANGUAGES)
    return note.startswith(heads)


def threshold_words(name: str) -> str:
    """A threshold's comparison in words, in the current language ('below 3/10')."""
    return catalogue().thresholds[name].words()


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlannedDrill(_Out):
    drill: str
    side: Side


class Baseline(_Out):
    """What a check-in is compared with: the previous record's plan, worst pain and PSFS."""

    kind: Literal["screening", "checkin"] = "screening"
    record_id: int | None = Field(None, description="The saved record, when there is one")
    plan: list[PlannedDrill] = Field(default_factory=list, description="The plan under review")
    drills_allowed: bool = True
    pain_worst_week: int | None = Field(None, ge=0, le=10)
    psfs: dict[str, int] = Field(default_factory=dict, description=(
        "The last score of each PSFS activity named so far"))
    age: int | None = Field(None, ge=8, le=110, description=(
        "The person's age at the screening, so that red flags that depend on age (a broken hip "
        "at 65+, a child's hip) are triaged at a check-in as at the screening"))

    @classmethod
    def of_result(cls, result: Result, *, psfs: dict[str, int] | None = None,
                  record_id: int | None = None) -> Baseline:
        """The baseline a screening leaves: its plan, its worst pain, the PSFS named at saving."""
        return cls(kind="screening", record_id=record_id,
                   plan=[PlannedDrill(drill=p.drill, side=p.side) for p in result.plan],
                   drills_allowed=result.triage.drills_allowed,
                   pain_worst_week=result.intake.symptoms.pain_worst_week, psfs=dict(psfs or {}),
                   age=result.intake.age)

    @classmethod
    def of_review(cls, review: Review, *, record_id: int | None = None) -> Baseline:
        """The baseline a check-in leaves: the updated plan, its scores (a PSFS activity it did
        not score keeps its last score)."""
        psfs = dict(review.baseline.psfs)
        for name, score in review.checkin.psfs.items():
            for old in [k for k in psfs if psfs_key(k) == psfs_key(name)]:
                del psfs[old]
            psfs[name] = score
        return cls(kind="checkin", record_id=record_id,
                   plan=[PlannedDrill(drill=p.drill, side=p.side) for p in review.plan],
                   drills_allowed=review.triage.drills_allowed,
                   pain_worst_week=review.checkin.pain_worst_week, psfs=psfs,
                   age=review.baseline.age)


class ScoreChange(_Out):
    """A check-in score against the previous record's."""

    measure: Literal["pain_worst_week", "psfs"]
    activity: str | None = None
    before: int
    now: int
    worse_by: int = Field(description="Points worse (up for pain, down for PSFS); negative when better")
    worse: bool = Field(description="Worse by a change that matters (a rule concluded it)")

    def text(self) -> str:
        what = (_("PSFS '{activity}'", activity=self.activity) if self.activity
                else MEASURE_WORDS[self.measure])
        sign = "+" if self.now >= self.before else ""
        return f"{what}: {self.before} -> {self.now} ({sign}{self.now - self.before})"


class DrillDecisionItem(_Out):
    """What the review decided for one drill of the plan under review, and why."""

    drill: str
    name: str
    side: Side
    decision: Decision
    to: str | None = Field(None, description="The drill of the next plan; None when stopped")
    to_name: str | None = None
    tried: bool
    reasons: list[str] = Field(description="Why, in plain words, from the facts the rules matched")
    text: str = Field(description="The decision and its reasons as one sentence")
    rules: list[str] = Field(description="The rules that decided it")
    see_clinician: bool = False


class Review(_Out):
    """The review of one check-in: triage, a decision per drill, the next plan, the trace."""

    disclaimer: str = DISCLAIMER
    checkin: CheckIn
    date: dt.date = Field(description="The check-in's date (today when it gave none)")
    baseline: Baseline
    triage: Triage
    changes: list[ScoreChange] = Field(description="Each score against the previous record")
    notes: list[str] = Field(default_factory=list)
    decisions: list[DrillDecisionItem]
    plan: list[PlanItem] = Field(description="The next plan")
    precautions: list[PrecautionApplied]
    safety_net: list[str]
    rules_fired: list[str]
    trace: list[TraceStep]
    traced: bool = True

    @model_validator(mode="after")
    def _no_drills_when_stopped(self) -> Review:
        if self.plan and (self.triage.level in LEVELS_THAT_STOP_DRILLS
                          or not self.triage.drills_allowed):
            raise ValueError(f"a plan must not be given at triage {self.triage.level}")
        return self

    # -- explanation -------------------------------------------------------------------
    def how(self, conclusion: str) -> list[HowNode]:
        """Justification trees for a conclusion id: a decision (progress, keep, regress, stop),
        'worse', a triage level, a red flag or a drill of the next plan."""
        from hipscreen.explain import how

        return how(self, conclusion)

    def decision_how(self, drill: str) -> list[HowNode]:
        """The justification tree of the decision for one drill under review."""
        ids = {s.fact_id for s in self.trace if s.kind == "DrillDecision" and s.data["drill"] == drill}
        decided = {s.data["decision"] for s in self.trace if s.fact_id in ids}
        return [n for d in sorted(decided) for n in self.how(d) if n.fact_id in ids]

    def why_not(self, conclusion: str, drill: str | None = None) -> WhyNot:
        """Why a decision was (not) made for `drill`, or why a drill is (not) in the next plan,
        or, for any other id, as for a screening."""
        from hipscreen.explain import why_not

        if conclusion in DECISIONS:
            if drill is None:
                return why_not(self, conclusion)
            return _decision_why_not(self, conclusion, drill)
        if conclusion in catalogue().drills:
            return _drill_why_not(self, conclusion)
        return why_not(self, conclusion)

    def answers(self) -> dict[str, Any]:
        """The answers the review reasoned from, shaped like an intake's where they are the
        intake's (safety, symptoms), for why-not's 'answered ...' words."""
        data = self.checkin.model_dump(mode="json")
        return {"safety": data["safety"],
                "symptoms": {"pain_now": data["pain_now"], "pain_worst_week": data["pain_worst_week"]},
                "psfs": data["psfs"], "drills": data["drills"]}

    def decision_of(self, drill: str) -> DrillDecisionItem | None:
        return next((d for d in self.decisions if d.drill == drill), None)

    def drill_ids(self) -> list[str]:
        return [p.drill for p in self.plan]

    def worse(self) -> list[ScoreChange]:
        return [c for c in self.changes if c.worse]


# -- from the check-in to facts -------------------------------------------------------------
class CheckInMismatch(ValueError):
    """A check-in that does not fit the plan under review; `problems` are (field, what)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"field '{f}': {w}" for f, w in problems))
        self.problems = problems

    def lines(self, where: str) -> list[str]:
        return [f"{where}: field '{field}': {what}" for field, what in self.problems]


def plan_problems(checkin: CheckIn, baseline: Baseline) -> list[tuple[str, str]]:
    """Drills the check-in reports that are not in the plan under review."""
    planned = [p.drill for p in baseline.plan] if baseline.drills_allowed else []
    expected = (f"expected one of the plan under review: {', '.join(planned)}" if planned
                else "the plan under review has no drills, so leave 'drills' out")
    return [(f"drills.{drill}", f"not in the plan under review; {expected}")
            for drill in checkin.drills if drill not in planned]


def checkin_facts(checkin: CheckIn, baseline: Baseline) -> list:
    from hipscreen.rules.facts import Change, DrillReport, Felt, UnderReview, answer
    from hipscreen.screening import fields_the_rules_read

    facts = []
    for name, value in checkin.safety:
        if value is None:  # never asked: not a "no" (the safety rules then give no plan)
            facts.append(answer("safety.not_asked", value=name))
        elif value is True or (name == "hip_surgery" and value != "none"):
            facts.append(answer(f"safety.{name}", value=value))
    facts += [answer("symptoms.pain_now", value=checkin.pain_now),
              answer("symptoms.pain_worst_week", value=checkin.pain_worst_week)]
    if baseline.age is not None:
        facts.append(answer("age", value=baseline.age))
    read = fields_the_rules_read()
    facts = [f for f in facts if f["field"] in read]
    if baseline.drills_allowed:
        drills = catalogue().drills
        facts += [UnderReview(drill=p.drill, side=p.side,
                              harder=drills[p.drill].progresses_to or p.drill)
                  for p in baseline.plan]
    for drill, report in checkin.drills.items():
        facts.append(DrillReport(drill=drill, sessions=report.sessions, pain_during=report.pain_during,
                                 settled_next_morning=report.settled_next_morning,
                                 too_easy=report.too_easy))
        facts += [Felt(drill=drill, sign=sign) for sign in report.felt]
    if baseline.pain_worst_week is not None:
        before, now = baseline.pain_worst_week, checkin.pain_worst_week
        facts.append(Change(measure="pain_worst_week", activity=None, before=before, now=now,
                            worse_by=now - before))
    earlier = {psfs_key(k): v for k, v in baseline.psfs.items()}
    for key, (name, now) in checkin.psfs_by_key().items():
        if key in earlier:
            facts.append(Change(measure="psfs", activity=name, before=earlier[key], now=now,
                                worse_by=earlier[key] - now))
    return facts


def review(checkin: CheckIn | dict[str, Any], baseline: Baseline, *, today: dt.date | None = None
           ) -> Review:
    """Review one check-in against the previous record. Raise CheckInMismatch when it reports a
    drill that is not in the plan under review."""
    from hipscreen.screening import engine

    if not isinstance(checkin, CheckIn):
        checkin = CheckIn.model_validate(checkin)
    problems = plan_problems(checkin, baseline)
    if problems:
        raise CheckInMismatch(problems)
    eng = engine()
    eng.reset()
    eng.declare(*checkin_facts(checkin, baseline))
    eng.run()
    return _review(checkin, baseline, eng, checkin.date or today or dt.date.today())


# -- reading the conclusions -------------------------------------------------------------------
def _review(checkin: CheckIn, baseline: Baseline, eng, date: dt.date) -> Review:
    from hipscreen.screening import _precautions, _trace

    facts = eng.facts_by_kind()
    changes = _changes(facts)
    triage = _triage(eng, facts, bool([c for c in changes if c.worse]))
    waiting = _awaiting_clinician(eng, facts, changes)
    decisions = _decisions(eng, baseline, facts, waiting)
    plan = _plan(eng, facts, waiting) if triage.drills_allowed else []
    notes = []
    if not baseline.drills_allowed or not baseline.plan:
        notes.append(_(NO_PLAN_NOTE))
    notes += [_(WORSE_NOTE, change=c.text(), mic=_mic_words(c)) for c in changes if c.worse]
    return Review(disclaimer=_(DISCLAIMER), checkin=checkin, date=date, baseline=baseline,
                  triage=triage, changes=changes, notes=notes, decisions=decisions, plan=plan,
                  precautions=_precautions(eng),
                  safety_net=[item.text for item in catalogue().safety_net],
                  rules_fired=list(eng.fired), trace=_trace(eng))


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


def _triage(eng, facts, worse: bool) -> Triage:
    from hipscreen.screening import TRIAGE_LABELS, _answer_text

    cat = catalogue()
    level = min((f["level"] for f in facts.get("Triage", [])), key=TRIAGE_ORDER.index)
    hits = []
    for flag in sorted(facts.get("RedFlag", []), key=lambda f: TRIAGE_ORDER.index(f["level"])):
        entry = cat.red_flags[flag["id"]]
        answered = sorted({_answer_text(eng.facts[p]) for _rule, premises
                           in eng.derivations[flag["__factid__"]] for p in premises})
        hits.append(RedFlagHit(id=flag["id"], level=entry.level, label=entry.label,
                               action=entry.action, answers=answered, source=entry.source))
    stopped = bool(facts.get("DrillsStopped"))
    action = hits[0].action if hits else _(WORSE_ACTION) if worse else _(KEEP_GOING_ACTION)
    note = _(REVIEW_PLAN_NOTE) if level == "clinician_review" and not stopped else None
    return Triage(level=level, label=translate(TRIAGE_LABELS[level]), action=action, red_flags=hits,
                  drills_allowed=not stopped, plan_note=note)


def _awaiting_clinician(eng, facts, changes: list[ScoreChange]) -> str | None:
    """What a clinician review at this check-in is waiting for, in words: the labels of the red
    flags and the worse scores behind the triage fact the rules concluded (None when there is
    none). Only shown for a decision a rule made from that triage fact: these are its words,
    not a decision."""
    from hipscreen.rules.facts import kind_of

    triage = next((f for f in facts.get("Triage", []) if f["level"] == "clinician_review"), None)
    if triage is None:
        return None
    cat = catalogue()
    why: list[str] = []
    for premise in _premises(eng, triage):
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


def _premises(eng, fact) -> list:
    seen, out = set(), []
    for _rule, premises in eng.derivations.get(fact["__factid__"], []):
        for pid in premises:
            if pid not in seen:
                seen.add(pid)
                out.append(eng.facts[pid])
    return out


def _reason_words(reason: str, report) -> str:
    if reason == "pain_during":
        return _("pain during it reached {pain}/10 ({limit} is more pain than is safe to train "
                 "with)", pain=report["pain_during"], limit=threshold_words("drill_pain_regress_above"))
    if reason == "not_settled":
        return _("the pain had not settled by the next morning")
    return _("you felt {sign}", sign=SIGN_WORDS.get(reason, reason))


def _decisions(eng, baseline: Baseline, facts, waiting: str | None) -> list[DrillDecisionItem]:
    from hipscreen.rules.facts import kind_of

    cat = catalogue()
    reports = {f["drill"]: f for f in facts.get("DrillReport", [])}
    order = {p.drill: i for i, p in enumerate(baseline.plan)}
    items = []
    for fact in facts.get("DrillDecision", []):
        drill, decision, to = fact["drill"], fact["decision"], fact["to"]
        report = reports.get(drill)
        premises = _premises(eng, fact)
        kinds = {kind_of(p) for p in premises}
        rules_ = list(dict.fromkeys(r for r, _premises in eng.derivations[fact["__factid__"]] if r))
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


def _plan(eng, facts, waiting: str | None) -> list[PlanItem]:
    from hipscreen.rules.facts import kind_of
    from hipscreen.screening import _drill_card, plan_note

    cat = catalogue()
    candidates = {c["drill"]: c for c in facts.get("Candidate", [])}
    notes: dict[str, list[str]] = {}
    for note in facts.get("PlanNote", []):
        notes.setdefault(note["drill"], []).append(plan_note(cat, note))
    items = []
    for fact in facts.get("Planned", []):
        drill_id = fact["drill"]
        drill = cat.drills[drill_id]
        candidate = candidates[drill_id]
        why: list[str] = []
        replaces = None
        variant = drill.variant
        first = candidate
        while first["replaces"]:  # a precaution swapped it in
            rep = next(r for r in facts.get("Replaced", [])
                       if r["drill"] == first["replaces"] and r["by"] == first["drill"])
            why.append(_("It takes the place of the {name}. {precaution}",
                         name=cat.drills[rep["drill"]].name.lower(),
                         precaution=cat.precautions[rep["precaution"]].text.strip()))
            replaces = rep["drill"]
            variant = "supported" if drill.variant == "supported" else "regressed"
            first = candidates[first["replaces"]]
        for decision in _premises(eng, first):
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
            elif any(kind_of(p) == "Triage" for p in _premises(eng, decision)):
                why.append(f"{_held_words(waiting)}.")
            else:
                why.append(_("Kept from your plan."))
        why += notes.get(drill_id, [])
        items.append(PlanItem(**_drill_card(drill_id), side=fact["side"], variant=variant,
                              replaces=replaces, why=list(dict.fromkeys(why)), serves=[]))
    items.sort(key=lambda p: (p.order, p.drill))
    return items


# -- why not, drill by drill -------------------------------------------------------------------
def _holds_for(cond, rev: Review, drill: str) -> bool:
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


def _decision_why_not(rev: Review, decision: str, drill: str) -> WhyNot:
    from hipscreen.explain import _condition_words
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
            conditions.append(WhyNotCondition(text=_condition_words(cond), status=status))
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


def _drill_why_not(rev: Review, drill: str) -> WhyNot:
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


# -- text ------------------------------------------------------------------------------------
def review_text(rev: Review, *, markdown: bool = False) -> str:
    """The review as text for people, or as a Markdown note, in the current language."""
    md = markdown
    h = (lambda t: f"## {t}") if md else (lambda t: f"{t}\n{'-' * len(t)}")
    b = "- " if md else "  * "
    t = rev.triage
    out = [(_("# hipscreen check-in") if md else _("HIPSCREEN CHECK-IN")), "",
           f"{'**' if md else ''}{rev.disclaimer}{'**' if md else ''}", "",
           _("Date: {date}", date=rev.date.isoformat()), "", h(_("Triage")),
           b + _("Level: {label} ({level})", label=t.label, level=t.level),
           b + _("Action: {action}", action=t.action)]
    if t.plan_note:
        out.append(f"{b}{t.plan_note}")
    out += [b + _("Red flag: {label} [{level}] - from {answers} (source: {source})", label=f.label,
                  level=f.level, answers=", ".join(f.answers), source=f.source)
            for f in t.red_flags]
    out += ["", h(_("Since the last record"))]
    out += [f"{b}{c.text()}" + (_(" - WORSE by a change that matters") if c.worse else "")
            for c in rev.changes] or [b + _("Nothing to compare with.")]
    out += [f"{b}{n}" for n in rev.notes if not is_worse_note(n)]  # shown just above
    out += ["", h(_("Drill by drill"))]
    out += [b + _("{name} ({side}): {decision} - {text} [rules: {rules}]", name=d.name,
                  side=SIDES[d.side], decision=DECISION_WORDS[d.decision].upper(), text=d.text,
                  rules=", ".join(d.rules))
            for d in rev.decisions] or [b + _("No drill under review.")]
    out += ["", h(_("The updated plan"))]
    if not t.drills_allowed:
        out.append(b + _("No drills: {action}", action=t.action))
    elif not rev.plan:
        out.append(b + _("No drills."))
    for i, item in enumerate(rev.plan, 1):
        out.append(_("{number}. {name} - {side} ({dose})", number=i, name=item.name,
                     side=SIDES[item.side], dose=item.dose.text))
        out += [f"{'   - ' if md else '      '}{w}" for w in item.why]
    if rev.precautions:
        out += ["", h(_("Precautions applied"))]
        out += [f"{b}{p.label}: {p.text}" for p in rev.precautions]
    out += ["", h(_("See a clinician if"))]
    out += [f"{b}{s}" for s in rev.safety_net]
    out += ["", h(_("Rules that fired")), f"{b}" + ", ".join(dict.fromkeys(rev.rules_fired))]
    return "\n".join(out)
