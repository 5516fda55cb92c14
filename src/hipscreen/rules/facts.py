"""The fact types of working memory, from intake answers to plan entries."""

from experta import Fact


class Answer(Fact):
    """One informative intake answer: field is the dotted intake path, value the answer."""


class RedFlag(Fact):
    """A red-flag row of the safety table is met: id, level, stops_drills."""


class Triage(Fact):
    """The triage level of the whole screen."""


class DrillsStopped(Fact):
    """No drill may be given: a red flag (emergency, urgent, recent surgery) stops the plan."""


class Finding(Fact):
    """A normalised finding: id and side (left, right or both)."""


class Evidence(Fact):
    """Evidence for a deficit on a side, with the weight of the rule that gave it."""


class Deficit(Fact):
    """A concluded deficit: id, side, combined certainty and confidence (likely, possible)."""


class Candidate(Fact):
    """A drill the plan could include: drill, side, and the deficit or drill it comes from."""


class Replaced(Fact):
    """A candidate drill swapped for another by a precaution."""


class Blocked(Fact):
    """A candidate drill removed by a precaution."""


class Planned(Fact):
    """A drill in the final plan, on a side."""


FACT_TYPES = (Answer, RedFlag, Triage, DrillsStopped, Finding, Evidence, Deficit, Candidate,
              Replaced, Blocked, Planned)
