"""Rule metadata (source, what it concludes) and the salience of each reasoning stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from experta import P, Rule

from hipscreen.knowledge.catalogue import catalogue

# Stages run in this order; salience only implements the order docs/design.md gives the stages.
SAFETY = 100
INTERPRET = 80
# Triage after interpretation: some red flags read findings (a child's hip that will not turn
# in, measured in degrees), and the triage must see every red flag.
TRIAGE = 75
DEFICITS = 70
COMBINE = 60
PRESCRIBE = 50
PRECAUTION = 40
PLAN = 30
WHOLE_PLAN = PLAN - 1  # rules about the plan as a whole run once every drill of it is planned
REVIEW = 20  # a check-in's review (rules/review.py), after the plan; only check-in facts start it


@dataclass(frozen=True)
class RuleMeta:
    source: str
    concludes: tuple[str, ...]
    overrides: str | None = None
    uses: tuple[str, ...] = ()


def cites(source: str, *, concludes: tuple[str, ...] | str, overrides: str | None = None,
          uses: tuple[str, ...] = ()):
    """Attach a source, the ids a rule can conclude, the rule it overrides, and the thresholds
    its body compares with (`uses`; a threshold in a pattern is found by itself). An evidence
    rule's weight is not here: it is the rule's entry in knowledge/data/evidence.yaml."""
    if isinstance(concludes, str):
        concludes = (concludes,)

    def attach(rule: Rule) -> Rule:
        rule.meta = RuleMeta(source=source, concludes=tuple(concludes), overrides=overrides,
                             uses=tuple(uses))
        return rule

    return attach


def threshold(name: str) -> float:
    """A number from knowledge/data/thresholds.yaml."""
    return catalogue().threshold(name)


def meets(name: str, value: float) -> bool:
    """Whether `value` meets the threshold `name` (its own comparison: below, or at least)."""
    return catalogue().thresholds[name].holds(value)


# Field predicates. experta's alpha network tests a predicate against the field of every fact
# of the pattern's class, whatever its other fields, so each must accept any value type.
_NUMBERS = frozenset({int, float})


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class ThresholdCheck:
    """A field test against a named threshold, read from the catalogue at each match; it keeps
    its name so the registry, why-not and the reference can show the number in words."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, value) -> bool:  # _is_number and meets, inlined: it runs at every match
        return (type(value) in _NUMBERS or (isinstance(value, int | float)
                                            and not isinstance(value, bool))) \
            and catalogue().thresholds[self.name].holds(value)

    def __repr__(self) -> str:
        return f"ThresholdCheck({self.name!r})"


def meets_threshold(name: str) -> P:
    """A pattern field that holds when the answer meets the threshold (below it, or at least
    it, as thresholds.yaml says for that threshold)."""
    return P(ThresholdCheck(name))


class StartsWith:
    """A field test: a text answer that starts with the prefix (or with one of a tuple of
    prefixes, as str.startswith takes them). It keeps its prefix so the rule base can be read
    as data (the CLIPS port in benchmarks/ translates it)."""

    def __init__(self, prefix: str | tuple[str, ...]) -> None:
        self.prefix = prefix

    def __call__(self, value) -> bool:
        return isinstance(value, str) and value.startswith(self.prefix)

    def __repr__(self) -> str:
        return f"StartsWith({self.prefix!r})"


class OneOf:
    """A field test: a text answer that is one of the values. It keeps them so the rule base can
    be read as data."""

    def __init__(self, *values: str) -> None:
        self.values = frozenset(values)

    def __call__(self, value) -> bool:
        return isinstance(value, str) and value in self.values

    def __repr__(self) -> str:
        return f"OneOf{tuple(sorted(self.values))!r}"


class DrillCheck:
    """A field test on a drill id that the drill and deficit catalogues decide (read at each
    match), such as "a drill whose entry lists this precaution". `what` says which test in
    words. Every value it can accept is a catalogue drill id, so the test can be read as the
    set of drills it accepts (the CLIPS port in benchmarks/ does that)."""

    def __init__(self, test: Callable[[object], bool], what: str) -> None:
        self.test = test
        self.what = what

    def __call__(self, drill_id) -> bool:
        return self.test(drill_id)

    def __repr__(self) -> str:
        return f"DrillCheck({self.what!r})"


def starts_with(prefix) -> P:
    return P(StartsWith(prefix))


def one_of(*values) -> P:
    return P(OneOf(*values))
