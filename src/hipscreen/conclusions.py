"""The one reader of an engine's conclusions: a run's facts read into the parts of a Result (and of
a check-in's Review). screening.py and review.py both read through it, so a triage, its red flags
with the answers behind them, the deficits with their evidence, findings and answers, the plan's
skeleton, the precautions and the trace are read one way.

Nothing here decides anything: it reads the facts the rules declared and words them from the
catalogue. The walk from a conclusion back to its answers is `hipscreen.result`'s (the same walk
reads an old saved Result's trace)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from experta import Fact

from hipscreen.i18n import N_, SOURCE_LANGUAGE, _, current_language, translate
from hipscreen.knowledge.catalogue import TRIAGE_ORDER, catalogue, per_catalogue
from hipscreen.result import (
    DeficitResult,
    Dose,
    EvidenceLink,
    PlanItem,
    PrecautionApplied,
    RedFlagHit,
    Trace,
    TraceStep,
    Triage,
    answers_behind,
    evidence_links,
)
from hipscreen.rules.facts import kind_of
from hipscreen.rules.registry import rules

TRIAGE_LABELS = {
    "emergency": N_("EMERGENCY - act now"),
    "urgent": N_("URGENT - see a doctor today"),
    "clinician_review": N_("SEE A CLINICIAN - before you start the plan"),
    "self_care": N_("SELF-CARE - follow the plan, and know when to get help"),
}
"""The triage levels in words, in English (codes and FHIR displays read them as they are; a
result says them in its language with `translate`)."""
SELF_CARE_ACTION = N_("Follow the plan below. Read the list of when to see a clinician.")
CLINICIAN_REVIEW_NOTE = N_("Start the plan once a clinician agrees.")
_LEG = {"left": N_("left side"), "right": N_("right side")}
_WORDS = (N_("left"), N_("right"), N_("both"), N_("likely"), N_("possible"))
"""Sides and confidences as a result's sentences say them (`translate(side)`)."""


class EngineRun:
    """One run of the engine as a derivation record (`hipscreen.result.DerivationRecord`), with
    its facts by kind. Read it before the engine's next reset, which replaces its record."""

    def __init__(self, eng: Any) -> None:
        self.eng = eng
        self.facts = eng.facts
        self.derivations = eng.derivations
        self.by_kind: Mapping[str, list[Fact]] = eng.facts_by_kind()
        self._links: dict[int, list[EvidenceLink]] = {}

    # DerivationRecord
    def kind(self, fact_id: int) -> str | None:
        fact = self.facts.get(fact_id) if hasattr(self.facts, "get") else self.facts[fact_id]
        return None if fact is None else kind_of(fact)

    def data(self, fact_id: int) -> Mapping[str, Any]:
        return self.facts[fact_id]

    def premise_sets(self, fact_id: int) -> list[Sequence[int]]:
        return [premises for _rule, premises in self.derivations.get(fact_id, ())]

    # reading
    def of(self, kind: str) -> list[Fact]:
        """The facts of one kind, in declaration order."""
        return self.by_kind.get(kind, [])

    def premises(self, fact: Fact) -> list[Fact]:
        """The facts the rules matched to conclude `fact`, each once, in premise order."""
        seen, out = set(), []
        for premises in self.premise_sets(fact["__factid__"]):
            for pid in premises:
                if pid not in seen:
                    seen.add(pid)
                    out.append(self.facts[pid])
        return out

    def rules_of(self, fact: Fact) -> list[str]:
        """The rules that concluded `fact`, each once."""
        return list(dict.fromkeys(r for r, _p in self.derivations[fact["__factid__"]] if r))

    def links(self, deficit: Fact) -> list[EvidenceLink]:
        """A deficit's evidence, findings and answers (read once per deficit)."""
        fid = deficit["__factid__"]
        if fid not in self._links:
            self._links[fid] = evidence_links(self, fid)
        return self._links[fid]


# -- triage and red flags --------------------------------------------------------------------------
def red_flags(run: EngineRun) -> list[RedFlagHit]:
    """The red flags met, most urgent first, each with the answers behind it."""
    cat = catalogue()
    hits = []
    for flag in sorted(run.of("RedFlag"), key=lambda f: TRIAGE_ORDER.index(f["level"])):
        entry = cat.red_flags[flag["id"]]
        hits.append(RedFlagHit(id=flag["id"], level=entry.level, label=entry.label,
                               action=entry.action, source=entry.source,
                               answers=answers_behind(run, flag["__factid__"])))
    return hits


def triage(run: EngineRun, *, action: str, plan_note: str) -> Triage:
    """The triage the rules concluded (the most urgent Triage fact), its red flags, whether the
    drills are stopped. `action` is said when no red flag was met (a red flag's action wins);
    `plan_note` at clinician review when the drills are not stopped (both in words already)."""
    level = min((f["level"] for f in run.of("Triage")), key=TRIAGE_ORDER.index)
    hits = red_flags(run)
    stopped = bool(run.of("DrillsStopped"))
    return Triage(level=level, label=translate(TRIAGE_LABELS[level]),
                  action=hits[0].action if hits else action, red_flags=hits,
                  drills_allowed=not stopped,
                  plan_note=plan_note if level == "clinician_review" and not stopped else None)


# -- deficits ---------------------------------------------------------------------------------------
def deficits(run: EngineRun) -> list[DeficitResult]:
    """The deficits concluded, likely first, then by certainty: each with the evidence rules that
    fired and the links from its evidence to the findings and their answers."""
    cat = catalogue()
    out = []
    for fact in run.of("Deficit"):
        rule_ids = sorted({e["rule"] for e in run.premises(fact)})
        entry = cat.deficits[fact["id"]]
        out.append(DeficitResult(
            id=fact["id"], label=entry.label, side=fact["side"], certainty=fact["certainty"],
            confidence=fact["confidence"], evidence=rule_ids, explanation=entry.text,
            support=run.links(fact)))
    out.sort(key=lambda d: (d.confidence != "likely", -d.certainty, d.id))
    return out


# -- the plan ----------------------------------------------------------------------------------------
@per_catalogue
def drill_card(drill_id: str) -> dict[str, Any]:
    """The parts of a plan item that come from the catalogue alone (pydantic copies the lists
    when it validates a PlanItem, so no result shares one with this cache)."""
    drill = catalogue().drills[drill_id]
    d = drill.dose
    dose = Dose(sets=d.sets, reps=d.reps, hold_seconds=d.hold_seconds, per_side=d.per_side,
                sessions_per_week=d.sessions_per_week, text=d.text(), source=d.source)
    return dict(drill=drill_id, name=drill.name, order=drill.order, purpose=drill.purpose.strip(),
                steps=list(drill.steps), cues=list(drill.cues), feel=list(drill.feel),
                dont_feel=list(drill.dont_feel), dose=dose, regression=drill.regression,
                progression=drill.progression, source=drill.source)


def plan_note(cat, note: Fact) -> str:
    """A plan note in the current language: the rule wrote it from drills.yaml's one_side_note in
    English; another language words it from its own catalogue, the side said in its words."""
    if current_language() == SOURCE_LANGUAGE or note["side"] not in _LEG:
        return note["note"]
    text = cat.drills[note["drill"]].one_side_note or note["note"]
    return text.replace("<side>", translate(_LEG[note["side"]]))


Reasons = Callable[[Fact, Fact, list[Fact], list[str]], tuple[list[str], list[str], str | None]]
"""Why a planned drill is in the plan: given its candidate, the candidate first proposed, the
precautions' swaps from one to the other (Replaced facts, the latest first) and its plan notes,
the lines of `why`, the deficits it serves, and the drill it replaces when no swap says so."""


def plan(run: EngineRun, reasons: Reasons) -> list[PlanItem]:
    """The planned drills, in the catalogue's order: each with its card, side, variant, the drill
    a precaution swapped it in for, and the reasons `reasons` gives."""
    cat = catalogue()
    candidates = {c["drill"]: c for c in run.of("Candidate")}
    notes: dict[str, list[str]] = {}
    for note in run.of("PlanNote"):
        notes.setdefault(note["drill"], []).append(plan_note(cat, note))
    items = []
    for fact in run.of("Planned"):
        drill_id = fact["drill"]
        drill = cat.drills[drill_id]
        candidate = candidates[drill_id]
        swaps, first = [], candidate
        while first["replaces"]:  # a precaution swapped it in
            swaps.append(next(r for r in run.of("Replaced")
                              if r["drill"] == first["replaces"] and r["by"] == first["drill"]))
            first = candidates[first["replaces"]]
        why, serves, replaces = reasons(candidate, first, swaps, notes.get(drill_id, []))
        variant = drill.variant if not swaps else (
            "supported" if drill.variant == "supported" else "regressed")
        items.append(PlanItem(
            **drill_card(drill_id), side=fact["side"], variant=variant,
            replaces=first["drill"] if swaps else replaces, why=why, serves=serves))
    items.sort(key=lambda p: (p.order, p.drill))
    return items


def swap_words(swap: Fact) -> str:
    """Why a drill stands in for another: "It takes the place of the ... <the precaution>"."""
    cat = catalogue()
    return _("It takes the place of the {drill}. {precaution}",
             drill=cat.drills[swap["drill"]].name.lower(),
             precaution=cat.precautions[swap["precaution"]].text.strip())


# -- precautions ------------------------------------------------------------------------------------
def precautions(run: EngineRun) -> list[PrecautionApplied]:
    """The precautions the rules applied: those that swapped or removed a drill (Replaced,
    Blocked), then those that apply to the plan as it stands (PrecautionApplies)."""
    cat = catalogue()
    acted: dict[str, list[str]] = {}
    for fact in run.of("Replaced") + run.of("Blocked"):
        drills = acted.setdefault(fact["precaution"], [])
        if fact["drill"] not in drills:
            drills.append(fact["drill"])
    for fact in run.of("PrecautionApplies"):
        drills = acted.setdefault(fact["id"], [])
        drills += [d for d in fact["drills"] if d not in drills]
    return [PrecautionApplied(id=pid, label=cat.precautions[pid].label,
                              text=cat.precautions[pid].text.strip(), drills=drills,
                              source=cat.precautions[pid].source)
            for pid, drills in acted.items()]


# -- the trace ---------------------------------------------------------------------------------------
@per_catalogue
def _rule_words() -> dict[str, tuple[str, str]]:
    """Each rule's text and cited source in words, once for each catalogue."""
    cat = catalogue()
    return {rule_id: (info.text, cat.cite(info.source)) for rule_id, info in rules().items()}


def trace_steps(run: EngineRun) -> list[TraceStep]:
    """One step per fact that an answer or a rule declared, in declaration order."""
    return _steps(run.facts, run.derivations, _rule_words())


def lazy_trace(run: EngineRun) -> Trace:
    """The trace of this run, built when first read: the engine's next reset replaces its facts
    and derivations (never clears them), so the record stays as it is until then."""
    facts, derivations, words = run.facts, run.derivations, _rule_words()
    return Trace(build=lambda: _steps(facts, derivations, words))


def _steps(facts, derivations, words) -> list[TraceStep]:
    steps = []
    for fid, fact in facts.items():
        ways = derivations.get(fid)
        if not ways:
            continue
        (rule, premises), *others = ways
        text, source = words[rule] if rule else (None, None)
        data = dict(fact)
        del data["__factid__"]
        steps.append(TraceStep(fid, kind_of(fact), data, rule, text,
                               source, list(premises),
                               [{"rule": r, "premises": list(p)} for r, p in others]))
    return steps
