"""The rule base on hipscreen's engine (compiled matcher, patched strategy, fact list and run loop)
against the same rules on stock experta 1.9.4 (ReteMatcher, DepthStrategy, FactList, its reset and
run loop): what fired, what is known and how each fact was derived must be the same.

This module is the comparison; tests/test_experta_patches.py runs it on 1,000 intakes and
benchmarks/equivalence.py on 10,000 (the larger runs the speed issue asks for).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from experta import Fact, KnowledgeEngine
from experta.agenda import Agenda
from experta.matchers.rete import ReteMatcher
from experta.strategies import DepthStrategy

from hipscreen.knowledge.intake import Intake
from hipscreen.rules.engine import ScreeningEngine
from hipscreen.screening import answers, fields_the_rules_read

ROOT = Path(__file__).resolve().parent.parent


class _FiringAgenda(Agenda):
    """experta's Agenda, telling the engine which activation fires next. The rule helpers
    (`evidence`, the trace) read `_firing`; the patched run loop sets it, stock's cannot."""

    def __init__(self, engine: StockEngine, activations: list) -> None:
        super().__init__()
        self.engine = engine
        self.activations = activations

    def get_next(self):
        activation = super().get_next()
        self.engine._firing = activation
        if activation is not None:
            self.engine.fired.append(activation.rule.__name__)
        return activation


class StockEngine(ScreeningEngine):
    """The same rules and rule helpers on stock experta: its ReteMatcher, DepthStrategy, reset
    (DefFacts and all) and run loop (Rule.__call__ and all)."""

    __matcher__ = ReteMatcher
    __strategy__ = DepthStrategy
    run = KnowledgeEngine.run

    def reset(self) -> None:
        self.derivations, self.fired, self._firing = {}, [], None
        KnowledgeEngine.reset(self)
        self._by_kind = {"InitialFact": list(self.facts.values())}
        self.agenda = _FiringAgenda(self, self.agenda.activations)


def _content(fact) -> tuple:
    """A fact as its kind and fields, without experta's bookkeeping (__factid__, ...)."""
    return type(fact).__name__, tuple(sorted(((k, v) for k, v in fact.items()
                                              if not Fact.is_special(k)), key=repr))


def outcome(engine) -> tuple[Counter, set, set]:
    """What a run concluded, independent of fact ids: the rules fired (how often each), the
    facts in working memory, and each fact's derivations as (rule, premises) by content."""
    by_id = {fid: _content(fact) for fid, fact in engine.facts.items()}
    derivations = {(by_id[fid], rule, frozenset(by_id[p] for p in premises))
                   for fid, ways in engine.derivations.items() for rule, premises in ways}
    return Counter(engine.fired), set(by_id.values()), derivations


class Mismatch(AssertionError):
    """The two engines concluded differently."""


def run_both(ours: ScreeningEngine, stock: StockEngine, facts: list[Fact], what: str) -> bool:
    """Run the same facts on both engines: all at once on ours (as screen() declares them), one at
    a time on stock experta. Raise Mismatch when what they concluded differs; return whether the
    firing order was the same too, for the record.

    DepthStrategy breaks salience-and-recency ties by insertion order (set iteration inside
    experta's conflict-set nodes); ours breaks them by rule name. The firing ORDER may therefore
    differ between rules of one stage that match the same facts, so the comparison is of what
    fired (a multiset), what is known, and how each fact was derived."""
    ours.reset()
    ours.declare(*[fact.copy() for fact in facts])  # experta writes __factid__ into a fact
    ours.run()
    stock.reset()
    for fact in facts:
        stock.declare(fact.copy())
    stock.run()
    mine, theirs = outcome(ours), outcome(stock)
    if mine != theirs:
        parts = ["rules fired", "facts", "derivations"]
        diff = []
        for name, a, b in zip(parts, mine, theirs, strict=True):
            if a != b:
                if isinstance(a, Counter):
                    diff.append(f"{name}: ours {dict(a - b)}, stock {dict(b - a)}")
                else:
                    diff.append(f"{name}: only ours {sorted(a - b)[:3]}, only stock {sorted(b - a)[:3]}")
        raise Mismatch(f"{what}: {'; '.join(diff)}")
    if not ours.fired:
        raise Mismatch(f"{what}: the run fired nothing")
    return ours.fired == stock.fired


def intake_facts(intake: Intake) -> list[Fact]:
    """The facts screen() declares for an intake."""
    read = fields_the_rules_read()
    return [fact for fact in answers(intake) if fact["field"] in read]


def checkin_runs() -> list[tuple[str, list[Fact]]]:
    """The facts of every check-in case's review (cases/checkins/), each check-in reviewed against
    the plan before it, as hipscreen.cases.outcome.review_case does."""
    from hipscreen.cases import load_case
    from hipscreen.review import Baseline, checkin_facts, review
    from hipscreen.screening import screen

    runs = []
    for path in sorted((ROOT / "cases" / "checkins").glob("*.yaml")):
        case = load_case(path)
        baseline = Baseline.of_result(screen(case.intake), psfs=case.psfs)
        for i, checkin in enumerate([*case.earlier_checkins, case.checkin]):
            runs.append((f"{path.name} check-in {i}", checkin_facts(checkin, baseline)))
            baseline = Baseline.of_review(review(checkin, baseline))
    return runs


def case_intakes() -> list[tuple[str, Intake]]:
    from hipscreen.cases import load_case

    return [(path.name, load_case(path).intake) for path in sorted((ROOT / "cases").glob("*.yaml"))]
