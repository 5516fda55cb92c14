"""Stage 5, review: a check-in against the plan under review -> a decision per drill (progress,
keep, regress, stop), the overall triage, and the next plan (docs/design.md "Follow-up: check-ins and
records"). Only a check-in declares the facts these rules match, so a screening never fires them.

The safety questions of a check-in are the intake's, declared as the same answers, so the safety
rules triage them exactly as at the first screening; the rules here add what only a check-in can
show: a score worse than at the previous record, and how each drill went. While a clinician has
yet to see the person (triage clinician_review, from a red flag or from a score worse by a change
that matters), no drill is made harder: a drill ready to progress is kept as it is.
"""

from experta import EXISTS, MATCH, NOT, P, Rule

from hipscreen.knowledge.catalogue import catalogue
from hipscreen.rules.facts import (
    Candidate,
    Change,
    DrillDecision,
    DrillReport,
    DrillsStopped,
    Felt,
    RegressReason,
    Triage,
    UnderReview,
    Worsened,
)
from hipscreen.rules.meta import REVIEW, DrillCheck, cites, meets_threshold
from hipscreen.rules.prescribe import merge_sides

DECISIONS = ("progress", "keep", "regress", "stop")
"""A drill's decision at a check-in, in docs/design.md's words."""
REVIEW_CONCLUSIONS = frozenset({*DECISIONS, "reason_to_regress", "worse", "next_plan"})
"""Every id a review rule concludes that is not a catalogue id (lint knows them by this)."""

SIGNS = REVIEW          # reasons to make a drill easier; scores that got worse
DECIDE = REVIEW - 1     # a decision per drill
OTHERWISE = REVIEW - 2  # keep, when no other decision was made
NEXT_PLAN = REVIEW - 3  # the next plan, from every decision


def _regresses(has_easier: bool) -> P:
    """A drill that has (or has not) an easier variant in drills.yaml (`regresses_to`)."""
    def test(drill) -> bool:
        entry = catalogue().drills.get(drill) if isinstance(drill, str) else None
        return entry is not None and (entry.regresses_to is not None) == has_easier

    return P(DrillCheck(test, "has an easier variant" if has_easier else "has no easier variant"))


class ReviewRules:
    """From a check-in to a decision per drill and the next plan. Worse scores raise triage to at
    least a clinician review; a red flag stops every drill, as at the first screening; while a
    clinician review is awaited no drill is progressed."""

    # -- overall: scores against the previous record ---------------------------------------
    @cites("nprs-mcid", concludes="worse")
    @Rule(Change(measure="pain_worst_week",
                 worse_by=meets_threshold("nprs_minimal_important_change")), salience=SIGNS)
    def worst_pain_up_by_a_change_that_matters_is_worse(self):
        """Worst pain of the last week up {nprs_minimal_important_change} against the previous
        record is a change that matters to people with low back pain: it is worse."""
        self.declare(Worsened(measure="pain_worst_week", activity=None))

    @cites("psfs", concludes="worse")
    @Rule(Change(measure="psfs", activity=MATCH.activity,
                 worse_by=meets_threshold("psfs_minimal_important_change")), salience=SIGNS)
    def psfs_activity_down_by_a_change_that_matters_is_worse(self, activity):
        """An activity of the Patient-Specific Functional Scale down
        {psfs_minimal_important_change} against the previous record is a change that matters:
        function is worse."""
        self.declare(Worsened(measure="psfs", activity=activity))

    @cites("design-follow-up", concludes="clinician_review")
    @Rule(Worsened(), salience=SIGNS)
    def getting_worse_needs_at_least_a_clinician_review(self):
        """Pain or function worse by a change that matters since the previous record: at least a
        clinician review before going on with the plan (a red flag may make it more urgent)."""
        self.declare(self.triage_fact("clinician_review"))

    # -- per drill: a red flag stops them all ----------------------------------------------
    @cites("design-follow-up", concludes="stop")
    @Rule(UnderReview(drill=MATCH.drill, side=MATCH.side), DrillsStopped(), salience=SIGNS)
    def a_red_flag_at_the_check_in_stops_every_drill(self, drill, side):
        """The safety questions are asked again at every check-in and triaged as at the first
        screening: a red flag that stops the plan (emergency, urgent, or hip surgery under 12
        weeks ago) stops every drill under review."""
        self.declare(DrillDecision(drill=drill, side=side, decision="stop", to=None))

    # -- per drill: reasons to make it easier ----------------------------------------------
    @cites("pain-monitoring", concludes="reason_to_regress")
    @Rule(UnderReview(drill=MATCH.drill),
          DrillReport(drill=MATCH.drill, pain_during=meets_threshold("drill_pain_regress_above")),
          salience=SIGNS)
    def pain_during_above_the_acceptable_zone_is_a_reason_to_regress(self, drill):
        """Pain during a drill {drill_pain_regress_above} is more than the pain-monitoring
        model accepts: the drill asks too much for now."""
        self.declare(RegressReason(drill=drill, reason="pain_during"))

    @cites("pain-monitoring", concludes="reason_to_regress")
    @Rule(UnderReview(drill=MATCH.drill), DrillReport(drill=MATCH.drill, settled_next_morning=False),
          salience=SIGNS)
    def pain_not_settled_by_the_next_morning_is_a_reason_to_regress(self, drill):
        """Pain from a drill that has not settled by the next morning means the load was too
        much, whatever the pain during it (pain-monitoring model)."""
        self.declare(RegressReason(drill=drill, reason="not_settled"))

    @cites("article-drill-sl-hinge", concludes="reason_to_regress")
    @Rule(UnderReview(drill=MATCH.drill), Felt(drill=MATCH.drill, sign=MATCH.sign), salience=SIGNS)
    def a_sign_you_should_not_feel_is_a_reason_to_regress(self, drill, sign):
        """Feeling what a drill should not make you feel (a low back pinch, a pinch at the front
        of the hip, a hamstring cramp, the knee caving in) means it borrows from somewhere else:
        make it easier until you feel the right thing."""
        self.declare(RegressReason(drill=drill, reason=sign))

    # -- per drill: the decision ------------------------------------------------------------
    @cites("pain-monitoring", concludes="regress")
    @Rule(UnderReview(drill=MATCH.drill & _regresses(True), side=MATCH.side),
          RegressReason(drill=MATCH.drill), NOT(DrillsStopped()), salience=DECIDE)
    def a_reason_to_regress_moves_the_drill_to_its_easier_variant(self, drill, side):
        """A tried drill with a reason to make it easier is regressed: the next plan has its
        easier variant (drills.yaml, regresses_to) instead."""
        easier = catalogue().drills[drill].regresses_to
        self.declare(DrillDecision(drill=drill, side=side, decision="regress", to=easier))

    @cites("pain-monitoring", concludes="stop")
    @Rule(UnderReview(drill=MATCH.drill & _regresses(False), side=MATCH.side),
          RegressReason(drill=MATCH.drill), NOT(DrillsStopped()), salience=DECIDE)
    def a_reason_to_regress_with_no_easier_variant_stops_the_drill(self, drill, side):
        """A tried drill with a reason to make it easier and no easier variant left is stopped:
        show it to a clinician before you try it again."""
        self.declare(DrillDecision(drill=drill, side=side, decision="stop", to=None))

    @cites("pain-monitoring", concludes="progress")
    @Rule(UnderReview(drill=MATCH.drill, side=MATCH.side, harder=MATCH.harder),
          DrillReport(drill=MATCH.drill, pain_during=meets_threshold("drill_pain_progress_below"),
                      settled_next_morning=True, too_easy=True),
          NOT(RegressReason(drill=MATCH.drill)), NOT(RegressReason(drill=MATCH.harder)),
          NOT(Triage(level="clinician_review")), NOT(DrillsStopped()), salience=DECIDE)
    def easy_settled_and_too_easy_progresses_the_drill(self, drill, side, harder):
        """Pain during the drill {drill_pain_progress_below} (the pain-monitoring model's safe
        zone), settled by the next morning, nothing felt that should not be, and the drill too
        easy: progress it, to its harder drill (drills.yaml, progresses_to) or else its harder
        version (its progression), unless a clinician has yet to see the person."""
        self.declare(DrillDecision(drill=drill, side=side, decision="progress", to=harder))

    @cites("design-follow-up", concludes="keep",
           overrides="easy_settled_and_too_easy_progresses_the_drill")
    @Rule(UnderReview(drill=MATCH.drill, side=MATCH.side, harder=MATCH.harder),
          DrillReport(drill=MATCH.drill, pain_during=meets_threshold("drill_pain_progress_below"),
                      settled_next_morning=True, too_easy=True),
          NOT(RegressReason(drill=MATCH.drill)), NOT(RegressReason(drill=MATCH.harder)),
          Triage(level="clinician_review"), NOT(DrillsStopped()), salience=DECIDE)
    def a_drill_is_not_made_harder_while_a_clinician_review_is_awaited(self, drill, side, harder):
        """An exception to progressing: while a clinician has yet to see the person (a red flag
        at this check-in that asks for a clinician review, or pain or function worse by a change
        that matters), no drill is made harder. A drill that is easy, settled and too easy is
        kept at the level it is at until a clinician agrees; making a drill easier, or stopping
        it, still applies."""
        self.declare(DrillDecision(drill=drill, side=side, decision="keep", to=drill))

    @cites("pain-monitoring", concludes="keep",
           overrides="easy_settled_and_too_easy_progresses_the_drill")
    @Rule(UnderReview(drill=MATCH.drill, side=MATCH.side, harder=MATCH.harder),
          DrillReport(drill=MATCH.drill, pain_during=meets_threshold("drill_pain_progress_below"),
                      settled_next_morning=True, too_easy=True),
          NOT(RegressReason(drill=MATCH.drill)), RegressReason(drill=MATCH.harder),
          NOT(DrillsStopped()), salience=DECIDE)
    def a_drill_is_not_progressed_into_a_drill_that_needs_making_easier(self, drill, side, harder):
        """An exception to progressing: when the harder drill is also in the plan and this
        check-in gives a reason to make that one easier, the easy drill is kept as it is rather
        than moved up into a drill that is not going well."""
        self.declare(DrillDecision(drill=drill, side=side, decision="keep", to=drill))

    @cites("pain-monitoring", concludes="keep")
    @Rule(UnderReview(drill=MATCH.drill, side=MATCH.side), DrillReport(drill=MATCH.drill),
          NOT(DrillDecision(drill=MATCH.drill)), NOT(DrillsStopped()), salience=OTHERWISE)
    def a_tried_drill_with_no_reason_to_change_is_kept(self, drill, side):
        """A tried drill with no reason to make it easier and not yet ready to progress (pain
        within the acceptable zone and settled, but not too easy yet, or not in the safe zone)
        is kept as it is."""
        self.declare(DrillDecision(drill=drill, side=side, decision="keep", to=drill))

    @cites("design-follow-up", concludes="keep")
    @Rule(UnderReview(drill=MATCH.drill, side=MATCH.side), NOT(DrillReport(drill=MATCH.drill)),
          NOT(DrillsStopped()), salience=OTHERWISE)
    def a_drill_not_tried_is_kept(self, drill, side):
        """A planned drill the check-in says nothing about was not tried: it stays in the plan as
        it was."""
        self.declare(DrillDecision(drill=drill, side=side, decision="keep", to=drill))

    # -- the next plan ----------------------------------------------------------------------
    @cites("design-follow-up", concludes="next_plan")
    @Rule(EXISTS(DrillDecision()), NOT(DrillsStopped()), salience=NEXT_PLAN)
    def the_decisions_make_the_next_plan(self):
        """Every drill that is not stopped goes into the next plan as decided (harder, the same
        or easier), on the sides of every decision that leads to it; the precautions then apply
        to it as to any plan."""
        leads: dict[str, list] = {}
        for decision in sorted(self.facts_of(DrillDecision), key=lambda f: f["__factid__"]):
            if decision["to"] is not None:
                leads.setdefault(decision["to"], []).append(decision)
        for drill, decisions in leads.items():
            side = merge_sides({d["side"] for d in decisions})
            self.declare_because(Candidate(drill=drill, side=side, replaces=None), decisions)
