"""The ScreeningEngine: the four rule stages on one experta engine that records a trace."""

from __future__ import annotations

from experta import Fact, InitialFact

from hipscreen.knowledge.catalogue import TRIAGE_ORDER, catalogue
from hipscreen.rules.compiled_matcher import CompiledMatcher
from hipscreen.rules.deficits import DeficitRules
from hipscreen.rules.experta_patches import PatchedKnowledgeEngine, check_declarable
from hipscreen.rules.facts import (
    Blocked,
    Candidate,
    Evidence,
    Planned,
    RedFlag,
    Replaced,
    Triage,
    finding_fact,
    kind_of,
)
from hipscreen.rules.interpret import InterpretRules
from hipscreen.rules.prescribe import PrescribeRules
from hipscreen.rules.registry import rules
from hipscreen.rules.review import ReviewRules
from hipscreen.rules.safety import SafetyRules


class ScreeningEngine(SafetyRules, InterpretRules, DeficitRules, PrescribeRules, ReviewRules,
                      PatchedKnowledgeEngine):
    """Forward-chaining screening engine. Build once per thread; call reset() per intake.

    For every declared fact it records which rule declared it and which facts that rule
    matched (`derivations`), so explanations never depend on rules writing their own trace.
    Its matcher is compiled (rules/compiled_matcher.py); its strategy, reset and run loop are
    experta patches (rules/experta_patches.py).
    """

    __matcher__ = CompiledMatcher

    def __init__(self) -> None:
        super().__init__()
        self._firing = None
        self._firing_entry = None
        self._because: list[Fact] = []
        self._by_kind: dict[str, list[Fact]] = {}
        self.derivations: dict[int, list[tuple[str | None, tuple[int, ...]]]] = {}
        self.fired: list[str] = []

    # -- running and recording -----------------------------------------------------------
    def reset(self, **kwargs) -> None:
        """Forget the last intake: its trace, and (experta_patches) its facts and agenda. The
        initial facts (InitialFact(), and any @DefFacts' facts, given the keyword arguments as
        experta gives them) are declared again; a DefFacts' fact is recorded as an intake fact
        is (declared by no rule)."""
        self.derivations = {}
        self.fired = []
        self._firing = None
        super().reset(**kwargs)
        initial = list(self.facts.values())
        if len(initial) == 1:  # InitialFact() alone: the screening rules have no DefFacts
            self._by_kind = {"InitialFact": initial}
            return
        by_kind: dict[str, list[Fact]] = {}
        for fact in initial:
            by_kind.setdefault(kind_of(fact), []).append(fact)
            if not isinstance(fact, InitialFact):
                self._record(fact)
        self._by_kind = by_kind

    def _fire(self, activation) -> None:
        """Fire one activation, recording it: `_record` and `evidence` read `_firing`."""
        self._firing = activation
        self.fired.append(activation.rule.__name__)
        try:
            super()._fire(activation)
        finally:
            self._firing = None

    def declare(self, *facts: Fact):
        """experta's declare, recording how each fact came to be; a fact already known records
        another way to conclude it. Declaring several facts outside a run (the intake) matches
        them in one pass."""
        if not self.running and len(facts) > 1:
            self.running = True
            try:
                last = self.declare(*facts)
            finally:
                self.running = False
            self.strategy.update_agenda(self.agenda, *self.get_activations())
            return last
        check_declarable(facts)
        last = None
        by_kind = self._by_kind
        store = self.facts.declare
        for fact in facts:
            stored = store(fact)
            if stored is None:  # already known: record this as another way to conclude it
                stored = self._same_as(fact)
                if stored is None:
                    continue
            else:
                kind = kind_of(stored)
                if kind in by_kind:
                    by_kind[kind].append(stored)
                else:
                    by_kind[kind] = [stored]
            self._record(stored)
            last = stored
        if not self.running:
            self.strategy.update_agenda(self.agenda, *self.get_activations())
        return last

    def _record(self, fact: Fact) -> None:
        activation = self._firing
        if activation is None:
            entry = (None, ())
        elif self._because:
            premises = [f for f in activation.facts if not isinstance(f, InitialFact)]
            premises += self._because
            entry = (activation.rule.__name__,
                     tuple(sorted({f["__factid__"] for f in premises})))
        elif self._firing_entry is not None and self._firing_entry[0] is activation:
            entry = self._firing_entry[1]  # the same for every fact this firing declares
        else:
            entry = (activation.rule.__name__,
                     tuple(sorted({f["__factid__"] for f in activation.facts
                                   if not isinstance(f, InitialFact)})))
            self._firing_entry = (activation, entry)
        known = self.derivations.get(fact["__factid__"])
        if known is None:
            self.derivations[fact["__factid__"]] = [entry]
        elif entry not in known:
            known.append(entry)

    # -- helpers the rule bodies use ------------------------------------------------------
    def declare_because(self, fact: Fact, premises) -> Fact:
        """Declare a fact concluded from facts the rule gathered itself (an aggregate rule)."""
        self._because = list(premises)
        try:
            return self.declare(fact)
        finally:
            self._because = []

    def facts_of(self, kind: type[Fact]) -> list[Fact]:
        return self.facts_by_kind().get(kind.__name__, [])

    def facts_by_kind(self) -> dict[str, list[Fact]]:
        """Working memory grouped by kind (Answer, Finding, ...), in declaration order."""
        return self._by_kind

    @staticmethod
    def triage_rank(level: str) -> int:
        return TRIAGE_ORDER.index(level)

    @staticmethod
    def triage_fact(level: str) -> Triage:
        return Triage(level=level)

    def red_flag(self, flag_id: str, because=None) -> None:
        """Declare a red-flag row as met: from the firing rule's facts, or from `because`."""
        entry = catalogue().red_flags[flag_id]
        flag = RedFlag(id=flag_id, level=entry.level, stops_drills=entry.stops_drills)
        if because is None:
            self.declare(flag)
        else:
            self.declare_because(flag, because)

    def finding(self, finding_id: str, side: str) -> None:
        self.declare(finding_fact(finding_id, side))

    def evidence(self, side: str) -> None:
        """Evidence for the deficit the firing rule concludes, with that rule's weight."""
        rule = rules()[self._firing.rule.__name__]  # experta may rebuild Rule objects (DNF)
        self.declare(Evidence(deficit=rule.concludes[0], side=side, weight=rule.weight,
                              rule=rule.id))

    def swap(self, candidate: Fact, to: str, precaution: str) -> None:
        self.declare(Replaced(drill=candidate["drill"], by=to, precaution=precaution))
        self.declare(Candidate(drill=to, side=candidate["side"], replaces=candidate["drill"]))

    def block(self, drill: str, precaution: str) -> None:
        self.declare(Blocked(drill=drill, precaution=precaution))

    def plan(self, drill: str, side: str) -> None:
        self.declare(Planned(drill=drill, side=side))
