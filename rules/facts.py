"""The fact types of working memory, from intake answers to plan entries."""

from experta import Fact

_PLAIN = frozenset({str, int, float, bool, type(None)})


class _Fact(Fact):
    """experta's Fact, storing plain values (and tuples of them) directly: experta passes every
    value through its `freeze` (a singledispatch call) even when, as here, it is already
    immutable."""

    def __init__(self, *args, **kwargs):
        if args:
            super().__init__(*args, **kwargs)
            return
        for value in kwargs.values():
            if type(value) not in _PLAIN and not (
                    type(value) is tuple and all(type(v) in _PLAIN for v in value)):
                super().__init__(**kwargs)  # experta freezes what is not plain
                return
        dict.update(self, kwargs)
        self._Fact__defaults = {}  # what experta's Fact.__init__ sets (its name-mangled __defaults)

    def __setitem__(self, key, value):
        if type(value) in _PLAIN and self.get("__factid__") is None:
            dict.__setitem__(self, key, value)
        else:
            super().__setitem__(key, value)


def _plain(cls: type[Fact], fields: dict) -> Fact:
    """A fact of plain values as _Fact.__init__ makes it, without the call's keyword packing."""
    fact = dict.__new__(cls)
    dict.update(fact, fields)
    fact._Fact__defaults = {}
    return fact


class Answer(_Fact):
    """One informative intake answer: field is the dotted intake path, value the answer."""


class RedFlag(_Fact):
    """A red-flag row of the safety table is met: id, level, stops_drills."""


class Ng65Criterion(_Fact):
    """One of NICE NG65's criteria for suspected axial spondyloarthritis is met: id."""


class Triage(_Fact):
    """The triage level of the whole screen."""


class DrillsStopped(_Fact):
    """No drill may be given: a red flag (emergency, urgent, recent surgery) stops the plan."""


class Finding(_Fact):
    """A normalised finding: id and side (left, right or both)."""


class Evidence(_Fact):
    """Evidence for a deficit on a side, with the weight of the rule that gave it."""


class Deficit(_Fact):
    """A concluded deficit: id, side, combined certainty and confidence (likely, possible)."""


class Candidate(_Fact):
    """A drill the plan could include: drill, side, and the deficit or drill it comes from."""


class Replaced(_Fact):
    """A candidate drill swapped for another by a precaution."""


class Blocked(_Fact):
    """A candidate drill removed by a precaution."""


class Planned(_Fact):
    """A drill in the final plan, on a side."""


class PrecautionApplies(_Fact):
    """A precaution (precautions.yaml id) that applies to the plan without swapping or removing
    a drill, and the planned drills it is about (drills, a tuple; empty for the whole plan)."""


class PlanNote(_Fact):
    """An instruction added to a planned drill on a side: note, in words from the catalogue."""


# -- a check-in's review (rules/review.py): only a check-in declares these ---------------------
class UnderReview(_Fact):
    """A drill of the plan under review (the plan of the previous record): drill, side, and
    harder (the drill it progresses to, drills.yaml progresses_to, or itself when it has none)."""


class DrillReport(_Fact):
    """What a check-in says about one planned drill that was tried: drill, sessions,
    pain_during (0..10), settled_next_morning, too_easy."""


class Felt(_Fact):
    """A 'should not feel' sign felt during a tried drill: drill, sign."""


class Change(_Fact):
    """A check-in score against the previous record's: measure (pain_worst_week or psfs),
    activity (a PSFS activity, else None), before, now, and worse_by (how many points worse:
    up for pain, down for PSFS; negative when better)."""


class Worsened(_Fact):
    """A score got worse by its minimal important change: measure, activity."""


class RegressReason(_Fact):
    """A reason to make a tried drill easier: drill, reason (pain_during, not_settled, or the
    sign felt)."""


class DrillDecision(_Fact):
    """The review's decision for a drill under review: drill, side, decision (progress, keep,
    regress, stop) and to (the drill of the next plan; None when stopped)."""


FACT_TYPES = (Answer, RedFlag, Ng65Criterion, Triage, DrillsStopped, Finding, Evidence, Deficit, Candidate,
              Replaced, Blocked, Planned, PrecautionApplies, PlanNote,
              UnderReview, DrillReport, Felt, Change, Worsened, RegressReason, DrillDecision)


# experta's Rete network checks the exact type of a fact first, then tests every child node of
# that type (copying the token for each). With one Answer class, every answer would be tested
# against every field any rule names. Each field (and each finding id) therefore gets its own
# subclass, so a fact only meets the patterns about it. `kind_of` still reports the base kind.
_SUBTYPES: dict[tuple[type, str], type] = {}


def _subtype(base: type[Fact], key: str) -> type[Fact]:
    cls = _SUBTYPES.get((base, key))
    if cls is None:
        cls = type(f"{base.__name__}[{key}]", (base,), {"__doc__": base.__doc__})
        _SUBTYPES[(base, key)] = cls
    return cls


def answer(field: str, **fields) -> Answer:
    """An Answer fact (or pattern) about one intake field."""
    return _subtype(Answer, field)(field=field, **fields)


def answer_fact(field: str, value) -> Answer:
    """The Answer fact of one intake answer, as answer(field, value=value) makes it, without the
    keyword packing and class look-up of a call per answer (screen() declares twenty or so)."""
    cls = _SUBTYPES.get((Answer, field)) or _subtype(Answer, field)
    if type(value) not in _PLAIN:
        return cls(field=field, value=value)
    return _plain(cls, {"field": field, "value": value})


def finding_fact(finding_id: str, side: str) -> Finding:
    """The Finding fact a rule declares, as finding(finding_id, side=side) makes it, without the
    keyword packing and class look-up of a call."""
    cls = _SUBTYPES.get((Finding, finding_id)) or _subtype(Finding, finding_id)
    return _plain(cls, {"id": finding_id, "side": side})


def finding(finding_id: str, **fields) -> Finding:
    """A Finding fact (or pattern) with one id."""
    return _subtype(Finding, finding_id)(id=finding_id, **fields)


_KINDS: dict[type, str] = {}


def kind_of(fact: Fact) -> str:
    """The fact's kind: Answer, Finding, Deficit, ... (never a per-key subtype name)."""
    cls = type(fact)
    kind = _KINDS.get(cls)
    if kind is None:
        kind = next((c.__name__ for c in cls.__mro__ if c in FACT_TYPES), cls.__name__)
        _KINDS[cls] = kind
    return kind
