"""Rule metadata (source, weight, what it concludes) and the salience of each reasoning stage."""

from __future__ import annotations

from dataclasses import dataclass

from experta import P, Rule

from hipscreen.knowledge.catalogue import catalogue

# Stages run in this order; salience only implements the order DESIGN.md gives the stages.
SAFETY = 100
TRIAGE = 90
INTERPRET = 80
DEFICITS = 70
COMBINE = 60
PRESCRIBE = 50
PRECAUTION = 40
PLAN = 30


@dataclass(frozen=True)
class RuleMeta:
    source: str
    concludes: tuple[str, ...]
    weight: float | None = None
    overrides: str | None = None


def cites(source: str, *, concludes: tuple[str, ...] | str, weight: float | None = None,
          overrides: str | None = None):
    """Attach a source, the ids a rule can conclude, and for evidence rules a weight."""
    if isinstance(concludes, str):
        concludes = (concludes,)
    if weight is not None and not 0 < weight <= 1:
        raise ValueError(f"weight must be in (0, 1], got {weight}")

    def attach(rule: Rule) -> Rule:
        rule.meta = RuleMeta(source=source, concludes=tuple(concludes), weight=weight,
                             overrides=overrides)
        return rule

    return attach


def threshold(name: str) -> float:
    """A number from knowledge/data/thresholds.yaml."""
    return catalogue().threshold(name)


# Field predicates. experta's alpha network tests a predicate against the field of every fact
# of the pattern's class, whatever its other fields, so each must accept any value type.
def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def below(threshold_name: str) -> P:
    return P(lambda v: _is_number(v) and v < threshold(threshold_name))


def at_least(threshold_name: str) -> P:
    return P(lambda v: _is_number(v) and v >= threshold(threshold_name))


def starts_with(prefix) -> P:
    return P(lambda v: isinstance(v, str) and v.startswith(prefix))


def one_of(*values) -> P:
    allowed = frozenset(values)
    return P(lambda v: isinstance(v, str) and v in allowed)
