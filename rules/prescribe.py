"""Stage 4, prescribe: deficits -> drill candidates -> precautions -> the planned drills."""

from experta import AS, EXISTS, MATCH, NOT, P, Rule

from hipscreen.knowledge.catalogue import catalogue
from hipscreen.rules.facts import (
    Blocked,
    Candidate,
    Deficit,
    DrillsStopped,
    Planned,
    PlanNote,
    PrecautionApplies,
    RedFlag,
    Replaced,
    answer,
    finding,
)
from hipscreen.rules.meta import (
    PLAN,
    PRECAUTION,
    PRESCRIBE,
    WHOLE_PLAN,
    DrillCheck,
    cites,
    meets_threshold,
    one_of,
)


def merge_sides(sides: set[str]) -> str:
    """left and right together, or both anywhere, make both."""
    if "both" in sides or {"left", "right"} <= sides:
        return "both"
    (side,) = sides
    return side


def _drill(predicate, what: str = "a test of the drill's catalogue entry"):
    return P(DrillCheck(lambda drill_id: predicate(catalogue().drills[drill_id]), what))


def _guarded_by(precaution: str):
    """A drill whose catalogue entry lists this precaution (drills.yaml, `precautions`)."""
    return _drill(lambda d: precaution in d.precautions, f"guarded by {precaution}")


def _trains(deficit: str):
    """A drill that deficits.yaml lists for this deficit (`drills`)."""
    return P(DrillCheck(lambda drill_id: drill_id in catalogue().deficits[deficit].drills,
                        f"trains {deficit}"))


class PrescribeRules:
    """From deficits to a safe, dosed plan. Precautions swap or remove drills, never triage."""

    @cites("article-four-drills", concludes=tuple(
        sorted({d for deficit in catalogue().deficits.values() for d in deficit.drills})))
    @Rule(EXISTS(Deficit()), NOT(DrillsStopped()), salience=PRESCRIBE)
    def deficits_call_for_their_drills(self):
        """Each concluded deficit (likely or possible) calls for the drills that train it
        (knowledge/data/deficits.yaml lists them). A drill called for by several deficits is one
        candidate, on the sides of all of them."""
        callers: dict[str, list] = {}
        for deficit in sorted(self.facts_of(Deficit), key=lambda f: f["__factid__"]):
            for drill in catalogue().deficits[deficit["id"]].drills:
                callers.setdefault(drill, []).append(deficit)
        for drill, deficits in callers.items():
            side = merge_sides({d["side"] for d in deficits})
            self.declare_because(Candidate(drill=drill, side=side, replaces=None), deficits)

    @cites("hip-precautions", concludes="hip_surgery_no_rotation_load",
           overrides="deficits_call_for_their_drills")
    @Rule(answer("safety.hip_surgery", value="over_12_weeks"),
          Candidate(drill=MATCH.drill & _guarded_by("hip_surgery_no_rotation_load")), salience=PRECAUTION)
    def hip_surgery_rules_out_rotation_loading_drills(self, drill):
        """After hip surgery no drill that loads hip internal rotation or deep flexion (the
        internal rotation hinge, the hip airplane) without the surgeon's clearance."""
        self.declare(Blocked(drill=drill, precaution="hip_surgery_no_rotation_load"))

    @cites("warwick-fai-2016", concludes="hip_joint_no_rotation_load",
           overrides="deficits_call_for_their_drills")
    @Rule(RedFlag(id="hip_joint_pattern"),
          Candidate(drill=MATCH.drill & _guarded_by("hip_joint_no_rotation_load")),
          salience=PRECAUTION)
    def hip_joint_pattern_withholds_rotation_loading_drills(self, drill):
        """When the hip joint itself may be the problem (the hip-joint red-flag row), no drill
        that loads hip internal rotation until a clinician has assessed the hip."""
        self.declare(Blocked(drill=drill, precaution="hip_joint_no_rotation_load"))

    @cites("hipscreen-heuristic", concludes="young_no_rotation_load",
           overrides="deficits_call_for_their_drills")
    @Rule(answer("age", value=meets_threshold("rotation_loading_age_below")),
          Candidate(drill=MATCH.drill & _guarded_by("young_no_rotation_load")),
          salience=PRECAUTION)
    def under_18_no_rotation_loading_drills(self, drill):
        """At an age {rotation_loading_age_below} no drill that loads hip internal rotation
        without a clinician's clearance: the growth plate at the hip can still slip."""
        self.declare(Blocked(drill=drill, precaution="young_no_rotation_load"))

    @cites("pregnancy-exercise", concludes="pregnancy_supported_balance",
           overrides="deficits_call_for_their_drills")
    @Rule(answer("safety.pregnant", value=True),
          AS.candidate << Candidate(drill=MATCH.drill & _guarded_by("pregnancy_supported_balance")),
          salience=PRECAUTION)
    def pregnancy_starts_balance_drills_supported(self, candidate, drill):
        """In pregnancy balance drills start in their supported variant."""
        self.swap(candidate, catalogue().drills[drill].regresses_to, "pregnancy_supported_balance")

    @cites("article-hip-stability", concludes="poor_balance_supported_start",
           overrides="deficits_call_for_their_drills")
    @Rule(finding("poor_single_leg_balance"),
          AS.candidate << Candidate(drill=MATCH.drill & _guarded_by("poor_balance_supported_start")),
          salience=PRECAUTION)
    def poor_balance_starts_balance_drills_supported(self, candidate, drill):
        """Someone who cannot hold 30 s on one leg starts balance drills in their supported
        variant."""
        self.swap(candidate, catalogue().drills[drill].regresses_to, "poor_balance_supported_start")

    @cites("article-drill-sl-hinge", concludes="low_back_pinch_regresses",
           overrides="deficits_call_for_their_drills")
    @Rule(answer("drill_response.low_back_pinch", value=MATCH.drill),
          AS.candidate << Candidate(drill=MATCH.drill & _guarded_by("low_back_pinch_regresses")),
          salience=PRECAUTION)
    def low_back_pinch_regresses_the_drill(self, candidate, drill):
        """A low back pinch during a drill means it borrows from the back: use its regression
        (less range, support, a dowel to own the hinge)."""
        self.swap(candidate, catalogue().drills[drill].regresses_to, "low_back_pinch_regresses")

    @cites("pain-monitoring", concludes="pinch_with_no_easier_variant",
           overrides="deficits_call_for_their_drills")
    @Rule(answer("drill_response.low_back_pinch", value=MATCH.drill),
          Candidate(drill=MATCH.drill & _guarded_by("pinch_with_no_easier_variant")), salience=PRECAUTION)
    def low_back_pinch_in_the_easiest_variant_removes_the_drill(self, drill):
        """A low back pinch in a drill with no easier variant left (a dowel hinge, a glute bridge,
        a supported variant) takes it out of the plan, to be shown to a clinician first."""
        self.block(drill, "pinch_with_no_easier_variant")

    @cites("article-goal", concludes="planned")
    @Rule(AS.candidate << Candidate(drill=MATCH.drill, side=MATCH.side),
          NOT(Replaced(drill=MATCH.drill)), NOT(Blocked(drill=MATCH.drill)),
          NOT(DrillsStopped()), salience=PLAN)
    def unblocked_candidate_goes_into_the_plan(self, drill, side):
        """A candidate drill that no precaution removed or swapped goes into the plan."""
        self.plan(drill, side)

    @cites("one-side-first", concludes="plan_note")
    @Rule(Planned(drill=MATCH.drill & _drill(lambda d: d.single_leg),
                  side=MATCH.side & one_of("left", "right")), salience=PLAN)
    def one_sided_single_leg_drill_gets_an_extra_set_on_that_side(self, drill, side):
        """A single-leg drill planned for one side only is still done on both legs: start with
        that side and give it one extra set. The words are the drill's one_side_note in
        drills.yaml."""
        note = catalogue().drills[drill].one_side_note.replace("<side>", side)
        self.declare(PlanNote(drill=drill, side=side, note=note))

    @cites("article-drill-sl-hinge", concludes="hamstring_cramp_glute_first")
    @Rule(Deficit(id="glute_underuse"), Planned(drill=MATCH.drill & _trains("glute_underuse")),
          salience=PLAN)
    def glute_underuse_puts_glute_work_first(self, drill):
        """A hamstring cramp in a single-leg hinge is often a sign the glute is not doing its job
        yet, so glute work comes first: when glute underuse is concluded and a drill that trains
        it (deficits.yaml) is in the plan, the plan says to do that glute drill first."""
        self.declare(PrecautionApplies(id="hamstring_cramp_glute_first", drills=(drill,)))

    @cites("pain-monitoring", concludes="pain_monitoring")
    @Rule(EXISTS(Planned()), salience=WHOLE_PLAN)
    def a_plan_carries_the_pain_monitoring_model(self):
        """Every plan comes with the pain-monitoring model: some pain during a drill is fine if
        it stays within the precaution's limit and settles by the next morning; if it does not,
        the drill is regressed."""
        planned = sorted(self.facts_of(Planned), key=lambda f: f["__factid__"])
        self.declare_because(PrecautionApplies(id="pain_monitoring", drills=()), planned)
