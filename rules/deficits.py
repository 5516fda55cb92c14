"""Stage 3, deficits: findings -> weighted evidence -> deficits, combined as certainty factors."""

from collections import defaultdict

from experta import EXISTS, MATCH, NOT, Rule

from hipscreen.knowledge.catalogue import catalogue, per_catalogue
from hipscreen.rules.facts import Deficit, Evidence, finding
from hipscreen.rules.meta import COMBINE, DEFICITS, cites, threshold

HIP = "hip_stability_deficit"
HINGE = "hinge_pattern_deficit"
IR = "hip_ir_control_deficit"
ROTATION = "rotational_control_deficit"
GLUTE = "glute_underuse"
TENSION = "protective_tension"


def combine_certainty(weights) -> float:
    """MYCIN certainty factors for positive evidence: cf = a + b(1 - a), in any order."""
    cf = 0.0
    for w in weights:
        cf = cf + w * (1 - cf)
    return cf


class DeficitRules:
    """Each rule adds evidence with its weight (its entry in knowledge/data/evidence.yaml); the
    weights combine per deficit and side."""

    # -- hip stability (article, "Hip stability") ---------------------------------------
    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("hip_shift", side=MATCH.side), salience=DEFICITS)
    def hip_shift_suggests_unstable_hip(self, side):
        """A hip shift in squats or hinging is a sign the hip cannot stabilise on that side."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("knee_collapse", side=MATCH.side), salience=DEFICITS)
    def knee_collapse_suggests_unstable_hip(self, side):
        """Knees collapsing in show the hip is not controlling the thigh bone."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("one_sided_low_back_tightness", side=MATCH.side), salience=DEFICITS)
    def one_sided_back_tightness_suggests_unstable_hip(self, side):
        """One-sided low back tightness is a sign the hip on that side is not stabilising."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("pinchy_hip", side=MATCH.side), salience=DEFICITS)
    def pinchy_hip_suggests_unstable_hip(self, side):
        """A 'pinchy' hip on one side is a sign of poor hip stability on that side."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("recurring_hamstring_strain", side=MATCH.side), salience=DEFICITS)
    def recurring_hamstring_strain_suggests_unstable_hip(self, side):
        """Hamstring strains that keep recurring are a sign of poor hip stability."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("si_irritation", side=MATCH.side), salience=DEFICITS)
    def si_irritation_suggests_unstable_hip(self, side):
        """SI joint irritation is a sign of poor hip stability on that side."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("deep_glute_ache", side=MATCH.side), salience=DEFICITS)
    def deep_glute_ache_suggests_unstable_hip(self, side):
        """The deep glute ache that never fully leaves is a sign of poor hip stability."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("poor_single_leg_balance", side=MATCH.side), salience=DEFICITS)
    def poor_single_leg_balance_suggests_unstable_hip(self, side):
        """Not controlling the pelvis on one leg for 30 seconds shows poor hip stability on that
        leg."""
        self.evidence(side)

    @cites("article-hip-stability", concludes=HIP)
    @Rule(finding("pelvic_drop", side=MATCH.side), salience=DEFICITS)
    def pelvic_drop_suggests_unstable_hip(self, side):
        """A pelvis that drops on single-leg stance shows the stance hip is not controlling it."""
        self.evidence(side)

    # -- hinge pattern (article, "The hinge") -------------------------------------------
    @cites("article-hinge", concludes=HINGE)
    @Rule(finding("hinge_spine_takes_over", side=MATCH.side), salience=DEFICITS)
    def spine_taking_over_suggests_broken_hinge(self, side):
        """The low back rounding or over-arching means the back has become the hinge."""
        self.evidence(side)

    @cites("article-hinge", concludes=HINGE)
    @Rule(finding("hinge_weight_shifts", side=MATCH.side), salience=DEFICITS)
    def weight_shift_suggests_broken_hinge(self, side):
        """Weight shifting to one side is a sign of a broken hinge."""
        self.evidence(side)

    @cites("article-hinge", concludes=HINGE)
    @Rule(finding("hinge_turns_into_squat", side=MATCH.side), salience=DEFICITS)
    def squatting_the_hinge_suggests_broken_hinge(self, side):
        """A 'hinge' that turns into a squat is a broken hinge."""
        self.evidence(side)

    @cites("article-hinge", concludes=HINGE)
    @Rule(finding("hamstrings_never_load", side=MATCH.side), salience=DEFICITS)
    def unloaded_hamstrings_suggest_broken_hinge(self, side):
        """Hamstrings that never load mean the hips are not doing the hinge."""
        self.evidence(side)

    @cites("article-hinge", concludes=HINGE)
    @Rule(finding("pain_when_hinging", side=MATCH.side), salience=DEFICITS)
    def pain_when_hinging_suggests_broken_hinge(self, side):
        """Pain showing up when hinging, bending or lifting is a sign of a broken hinge."""
        self.evidence(side)

    # -- internal-rotation control (article, "2) Internal Rotation Hinge") ---------------
    @cites("article-drill-ir-hinge", concludes=IR)
    @Rule(finding("feels_stuck_in_hip", side=MATCH.side), salience=DEFICITS)
    def stuck_hip_suggests_poor_ir_control(self, side):
        """Feeling 'stuck' in the hip points to a hip that does not accept load in internal
        rotation."""
        self.evidence(side)

    @cites("article-drill-ir-hinge", concludes=IR)
    @Rule(finding("hip_shift", side=MATCH.side), salience=DEFICITS)
    def hip_shift_suggests_poor_ir_control(self, side):
        """Shifting to one side when hinging or squatting points to poor internal-rotation
        control."""
        self.evidence(side)

    @cites("article-drill-ir-hinge", concludes=IR)
    @Rule(finding("hinge_weight_shifts", side=MATCH.side), salience=DEFICITS)
    def hinge_weight_shift_suggests_poor_ir_control(self, side):
        """Shifting to one side in the hinge points to poor internal-rotation control."""
        self.evidence(side)

    @cites("article-drill-ir-hinge", concludes=IR)
    @Rule(finding("back_pain_after_leg_day", side=MATCH.side), salience=DEFICITS)
    def leg_day_back_pain_suggests_poor_ir_control(self, side):
        """Back pain after leg days points to poor internal-rotation control."""
        self.evidence(side)

    @cites("article-drill-ir-hinge", concludes=IR)
    @Rule(finding("pinchy_hip", side=MATCH.side), salience=DEFICITS)
    def front_hip_pinch_suggests_poor_ir_control(self, side):
        """A pinch at the front of the hip points to poor internal-rotation control."""
        self.evidence(side)

    @cites("article-rotation", concludes=IR)
    @Rule(finding("limited_hip_ir", side=MATCH.side), salience=DEFICITS)
    def limited_ir_suggests_poor_ir_control(self, side):
        """Lacking hip internal rotation makes the body find rotation in the low back."""
        self.evidence(side)

    # -- rotational control (article, "Why rotational control matters") -----------------
    @cites("article-rotation", concludes=ROTATION)
    @Rule(finding("pain_with_rotation"), finding("limited_hip_ir", side=MATCH.side),
          salience=DEFICITS)
    def rotation_pain_with_limited_ir_suggests_poor_rotational_control(self, side):
        """Pain with rotation together with limited hip rotation: the low back is taking the
        rotation the hip cannot."""
        self.evidence(side)

    @cites("article-rotation", concludes=ROTATION)
    @Rule(finding("pain_with_rotation"), finding("knee_collapse", side=MATCH.side),
          salience=DEFICITS)
    def rotation_pain_with_knee_collapse_suggests_poor_rotational_control(self, side):
        """Pain with rotation together with uncontrolled hip rotation (the knee collapsing in)."""
        self.evidence(side)

    # -- glute underuse and protective tension -----------------------------------------
    @cites("article-drill-sl-hinge", concludes=GLUTE)
    @Rule(finding("hamstring_cramp_in_single_leg_hinge", side=MATCH.side), salience=DEFICITS)
    def hamstring_cramp_suggests_glute_underuse(self, side):
        """A hamstring cramp in a single-leg hinge is often a sign the glute is not doing its
        job yet."""
        self.evidence(side)

    @cites("article-rotation", concludes=TENSION)
    @Rule(finding("stretching_relief_does_not_last"), finding("keeps_coming_back"),
          salience=DEFICITS)
    def short_relief_and_recurrence_suggest_protective_tension(self):
        """Stretching brings only temporary relief and the tightness keeps coming back: the
        tightness is protective, the nervous system bracing because it does not trust the hip."""
        self.evidence("both")

    @cites("article-rotation", concludes=TENSION)
    @Rule(finding("stretching_relief_does_not_last"), NOT(finding("keeps_coming_back")),
          salience=DEFICITS)
    def short_lived_stretching_relief_suggests_protective_tension(self):
        """Stretching that helps only for a while, in pain that does not keep coming back,
        suggests protective tension (weaker than the two together)."""
        self.evidence("both")

    # -- combining ----------------------------------------------------------------------
    @cites("certainty-factors", concludes=(HIP, HINGE, IR, ROTATION, GLUTE, TENSION),
           uses=("likely_certainty", "possible_certainty"))
    @Rule(EXISTS(Evidence()), salience=COMBINE)
    def evidence_combines_into_deficits(self):
        """Evidence for one deficit combines as certainty factors, per side; 'likely' at a
        certainty {likely_certainty}, 'possible' at {possible_certainty}. Evidence from a finding
        seen on both sides counts on each side. Evidence from a finding that has no side (back
        pain after leg days, a hinge fault) never puts a deficit on a side by itself: it adds to
        each side that sided evidence already points to, and when nothing points to a side the
        deficit is reported once, without a side (recorded as both). A deficit with the same
        certainty on both sides is reported once, on both sides; otherwise each side is
        reported with its own certainty."""
        per_side: dict[tuple[str, str], list] = defaultdict(list)
        sideless: dict[str, list] = defaultdict(list)
        for ev in self.facts_of(Evidence):
            if ev["side"] == "both" and not has_a_side(ev["rule"]):
                sideless[ev["deficit"]].append(ev)
                continue
            sides = ("left", "right") if ev["side"] == "both" else (ev["side"],)
            for side in sides:
                per_side[(ev["deficit"], side)].append(ev)
        likely, possible = threshold("likely_certainty"), threshold("possible_certainty")

        def level(cf: float) -> str | None:
            return "likely" if cf >= likely - 1e-9 else "possible" if cf >= possible - 1e-9 else None

        for deficit in sorted({d for d, _ in per_side} | set(sideless)):
            shown = [side for side in ("left", "right") if per_side.get((deficit, side))]
            pools = ({side: per_side[(deficit, side)] + sideless[deficit] for side in shown}
                     if shown else {"both": sideless[deficit]})
            found = {}
            for side, evidence in pools.items():
                cf = combine_certainty(e["weight"] for e in evidence)
                if evidence and level(cf):
                    found[side] = (round(cf, 4), level(cf), evidence)
            if len(found) == 2 and found["left"][0] == found["right"][0]:
                evidence = list({id(e): e for e in found["left"][2] + found["right"][2]}.values())
                found = {"both": (found["left"][0], found["left"][1], evidence)}
            for side, (cf, conf, evidence) in found.items():
                self.declare_because(
                    Deficit(id=deficit, side=side, certainty=cf, confidence=conf), evidence)


def has_a_side(rule_id: str) -> bool:
    """Whether an evidence rule's side comes from a finding that has one (findings.yaml
    `sided`); a side-less finding is recorded as "both", which then means "no side"."""
    return _evidence_sidedness()[rule_id]


@per_catalogue
def _evidence_sidedness() -> dict[str, bool]:
    """has_a_side for every evidence rule, read once for each catalogue."""
    sided = {}
    for rule_id, entry in catalogue().evidence.items():
        found = [entry.finding] if isinstance(entry.finding, str) else entry.finding
        sided[rule_id] = any(catalogue().findings[name].sided for name in found)
    return sided
