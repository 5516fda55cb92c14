"""The rule registry: every rule's id, stage, text, source, weight and conditions, as data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from experta import NOT, OR, Fact, Rule
from experta.conditionalelement import AND, EXISTS, TEST
from experta.fieldconstraint import ANDFC, NOTFC, ORFC, L, P, W

from hipscreen.knowledge.catalogue import Catalogue, catalogue, per_catalogue
from hipscreen.rules import deficits, interpret, prescribe, review, safety
from hipscreen.rules.facts import kind_of
from hipscreen.rules.meta import RuleMeta, ThresholdCheck

STAGES = {
    safety.SafetyRules: "safety",
    interpret.InterpretRules: "interpret",
    deficits.DeficitRules: "deficits",
    prescribe.PrescribeRules: "prescribe",
    review.ReviewRules: "review",
}


@dataclass(frozen=True)
class Condition:
    """One pattern of a rule's left-hand side, as data: a fact kind, its literal fields, and
    whether it must be absent (NOT). `alternatives` holds OR branches."""

    kind: str
    fields: tuple[tuple[str, object], ...]
    negated: bool = False
    alternatives: tuple[Condition, ...] = ()

    def text(self) -> str:
        if self.alternatives:
            return " or ".join(a.text() for a in self.alternatives)
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.fields)
        body = f"{self.kind}({shown})"
        return f"no {body}" if self.negated else body


def _show(value) -> str:
    if isinstance(value, L):
        return repr(value.value)
    if isinstance(value, P) and isinstance(value.match, ThresholdCheck):
        return catalogue().thresholds[value.match.name].words()
    if isinstance(value, P):
        return "<test>"
    if isinstance(value, W):
        return "?" + value.__bind__ if value.__bind__ else "any"
    if isinstance(value, ANDFC | ORFC):
        parts = [_show(v) for v in value]
        return " & ".join(p for p in parts if p != "any") or "any"
    if isinstance(value, NOTFC):
        return "not " + _show(value[0])
    return repr(value)


def admits(constraint, value) -> bool:
    """Whether a pattern's field constraint (a literal, W, P or a combination) accepts `value`.
    A variable (W, MATCH.x) accepts anything; a predicate that cannot judge the value rejects it."""
    if constraint is None or isinstance(constraint, W):
        return True
    if isinstance(constraint, L):
        return constraint.value == value
    if isinstance(constraint, P):
        try:
            return bool(constraint.match(value))
        except Exception:
            return False
    if isinstance(constraint, ANDFC):
        return all(admits(c, value) for c in constraint)
    if isinstance(constraint, ORFC):
        return any(admits(c, value) for c in constraint)
    if isinstance(constraint, NOTFC):
        return not admits(constraint[0], value)
    return constraint == value


def _conditions(ce, negated: bool = False) -> list[Condition]:
    out: list[Condition] = []
    for item in ce:
        if isinstance(item, NOT):
            out += _conditions(item, negated=True)
        elif isinstance(item, OR):
            alts = tuple(c for sub in item for c in _conditions((sub,), negated))
            out.append(Condition(kind="any of", fields=(), negated=negated, alternatives=alts))
        elif isinstance(item, AND | EXISTS):
            out += _conditions(item, negated)
        elif isinstance(item, TEST):
            out.append(Condition(kind="test", fields=(), negated=negated))
        elif isinstance(item, Fact):
            fields = tuple((k, v) for k, v in item.items() if not Fact.is_special(k))
            out.append(Condition(kind=kind_of(item), fields=fields, negated=negated))
    return out


def thresholds_in(constraint) -> list[str]:
    """The threshold names a pattern field tests (ThresholdCheck predicates, at any depth)."""
    if isinstance(constraint, P) and isinstance(constraint.match, ThresholdCheck):
        return [constraint.match.name]
    if isinstance(constraint, ANDFC | ORFC | NOTFC):
        return [name for part in constraint for name in thresholds_in(part)]
    return []


@dataclass(frozen=True)
class RuleInfo:
    id: str
    stage: str
    text: str  # the docstring, each {threshold} shown in words from the catalogue
    source: str
    concludes: tuple[str, ...]
    weight: float | None  # an evidence rule's weight, from evidence.yaml
    overrides: str | None
    salience: int
    conditions: tuple[Condition, ...]
    thresholds: tuple[str, ...] = ()

    def conditions_text(self) -> list[str]:
        return [c.text() for c in self.conditions if c.kind != "InitialFact"]


@cache
def _shapes() -> dict[str, tuple[str, str, RuleMeta, int, tuple[Condition, ...]]]:
    """What does not depend on the catalogue: stage, docstring, metadata, salience, conditions.
    Read from the class dicts so no descriptor of experta's Rule runs."""
    found = {}
    for cls, stage in STAGES.items():
        for name, obj in vars(cls).items():
            if not isinstance(obj, Rule):
                continue
            meta: RuleMeta | None = getattr(obj, "meta", None)
            if meta is None:
                raise TypeError(f"rule {name} has no @cites metadata")
            found[name] = (stage, " ".join((obj._wrapped.__doc__ or "").split()), meta,
                           obj.salience, tuple(_conditions(obj)))
    return found


@per_catalogue
def rules() -> dict[str, RuleInfo]:
    """Every rule of the engine, keyed by id, in stage order, as the catalogue in use words and
    weighs it (texts show its thresholds; evidence rules carry its evidence.yaml weights)."""
    return _build(catalogue())


def _build(cat: Catalogue) -> dict[str, RuleInfo]:
    found: dict[str, RuleInfo] = {}
    for name, (stage, docstring, meta, salience, conditions) in _shapes().items():
        in_patterns = [t for c in _flat(conditions) for _, v in c.fields for t in thresholds_in(v)]
        evidence = cat.evidence.get(name)
        found[name] = RuleInfo(
            id=name, stage=stage, text=cat.with_numbers(docstring), source=meta.source,
            concludes=meta.concludes, weight=evidence.weight if evidence else None,
            overrides=meta.overrides, salience=salience, conditions=conditions,
            thresholds=tuple(dict.fromkeys([*in_patterns, *meta.uses])))
    return found


def _flat(conditions) -> list[Condition]:
    return [leaf for c in conditions for leaf in (_flat(c.alternatives) if c.alternatives else [c])]


def rules_concluding(conclusion: str) -> list[RuleInfo]:
    return [r for r in rules().values() if conclusion in r.concludes]
