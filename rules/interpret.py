"""Stage 2, interpret: raw answers -> normalised findings with sides."""

from experta import MATCH, NOT, Rule

from hipscreen.rules.facts import answer
from hipscreen.rules.meta import INTERPRET, cites, meets, one_of, starts_with

SIDED = one_of("left", "right", "both")


class InterpretRules:
    """Turn what was answered or observed into findings the deficit rules can weigh."""

    @cites("article-hip-stability", concludes="hip_shift")
    @Rule(answer("movement.hip_shift", value=MATCH.side & SIDED), salience=INTERPRET)
    def observed_hip_shift_is_a_finding(self, side):
        """Hips drifting to one side in a squat or hinge is a hip shift on that side."""
        self.finding("hip_shift", side)

    @cites("article-hip-stability", concludes="knee_collapse")
    @Rule(answer("movement.knee_collapse", value=MATCH.side & SIDED), salience=INTERPRET)
    def observed_knee_collapse_is_a_finding(self, side):
        """A knee caving inward in a squat or step-down is knee collapse on that side."""
        self.finding("knee_collapse", side)

    @cites("article-hip-stability", concludes="poor_single_leg_balance")
    @Rule(answer("movement.single_leg_balance_poor", value=MATCH.side & SIDED),
          salience=INTERPRET)
    def failed_30s_balance_is_poor_single_leg_balance(self, side):
        """Not holding 30 seconds on one leg is poor single-leg balance on that leg."""
        self.finding("poor_single_leg_balance", side)

    @cites("article-hip-stability", concludes="pelvic_drop")
    @Rule(answer("movement.pelvic_drop", value=MATCH.side & SIDED), salience=INTERPRET)
    def observed_pelvic_drop_is_a_finding(self, side):
        """The opposite hip dropping while standing on one leg is a pelvic drop on the stance
        leg."""
        self.finding("pelvic_drop", side)

    @cites("article-hip-stability", concludes="one_sided_low_back_tightness")
    @Rule(answer("symptoms.locations", value="low_back_left"),
          NOT(answer("symptoms.locations", value="low_back_right")), salience=INTERPRET)
    def left_only_low_back_pain_is_one_sided_tightness(self):
        """Low back pain on the left and not the right is one-sided low back tightness (left)."""
        self.finding("one_sided_low_back_tightness", "left")

    @cites("article-hip-stability", concludes="one_sided_low_back_tightness")
    @Rule(answer("symptoms.locations", value="low_back_right"),
          NOT(answer("symptoms.locations", value="low_back_left")), salience=INTERPRET)
    def right_only_low_back_pain_is_one_sided_tightness(self):
        """Low back pain on the right and not the left is one-sided low back tightness (right)."""
        self.finding("one_sided_low_back_tightness", "right")

    @cites("article-hip-stability", concludes="si_irritation")
    @Rule(answer("symptoms.locations", value=MATCH.loc & starts_with("si_")),
          salience=INTERPRET)
    def si_pain_is_si_irritation(self, loc):
        """Pain over the SI joint is SI joint irritation on that side."""
        self.finding("si_irritation", loc.rsplit("_", 1)[1])

    @cites("article-hip-stability", concludes="deep_glute_ache")
    @Rule(answer("symptoms.locations", value=MATCH.loc & starts_with("deep_glute_")),
          salience=INTERPRET)
    def deep_glute_pain_is_deep_glute_ache(self, loc):
        """Pain deep in the buttock is the deep glute ache on that side."""
        self.finding("deep_glute_ache", loc.rsplit("_", 1)[1])

    @cites("article-hip-stability", concludes="pinchy_hip")
    @Rule(answer("symptoms.locations", value=MATCH.loc & starts_with("front_hip_")),
          salience=INTERPRET)
    def front_hip_pain_is_a_pinchy_hip(self, loc):
        """Pain at the front of the hip is a pinchy hip on that side."""
        self.finding("pinchy_hip", loc.rsplit("_", 1)[1])

    @cites("article-drill-ir-hinge", concludes="pinchy_hip")
    @Rule(answer("movement.front_hip_pinch", value=MATCH.side & SIDED), salience=INTERPRET)
    def front_hip_pinch_in_deep_flexion_is_a_pinchy_hip(self, side):
        """A pinch at the front of the hip in deep flexion is a pinchy hip on that side."""
        self.finding("pinchy_hip", side)

    @cites("article-hip-stability", concludes="recurring_hamstring_strain")
    @Rule(answer("symptoms.recurring_hamstring_strain", value=MATCH.side & SIDED),
          salience=INTERPRET)
    def repeated_hamstring_strains_are_a_finding(self, side):
        """Hamstring strains that keep coming back are a finding on that side."""
        self.finding("recurring_hamstring_strain", side)

    @cites("article-hinge", concludes="hinge_spine_takes_over")
    @Rule(answer("movement.hinge_faults", value=one_of("back_rounds", "back_arches")),
          salience=INTERPRET)
    def rounding_or_arching_in_a_hinge_means_the_spine_takes_over(self):
        """The low back rounding or over-arching in a hinge means the spine, not the hips, is
        doing the hinge."""
        self.finding("hinge_spine_takes_over", "both")

    @cites("article-hinge", concludes="hinge_weight_shifts")
    @Rule(answer("movement.hinge_faults", value="shifts_to_one_side"), salience=INTERPRET)
    def weight_shifting_in_a_hinge_is_a_finding(self):
        """Weight shifting to one side in a hinge is a hinge fault."""
        self.finding("hinge_weight_shifts", "both")

    @cites("article-hinge", concludes="hinge_turns_into_squat")
    @Rule(answer("movement.hinge_faults", value="turns_into_squat"), salience=INTERPRET)
    def hinge_turning_into_squat_is_a_finding(self):
        """A hinge that turns into a squat is a hinge fault."""
        self.finding("hinge_turns_into_squat", "both")

    @cites("article-hinge", concludes="hamstrings_never_load")
    @Rule(answer("movement.hinge_faults", value="no_hamstring_load"), salience=INTERPRET)
    def no_hamstring_load_in_a_hinge_is_a_finding(self):
        """Hamstrings that never load in a hinge are a hinge fault."""
        self.finding("hamstrings_never_load", "both")

    @cites("article-hinge", concludes="pain_when_hinging")
    @Rule(answer("movement.hinge_faults", value="back_pain"), salience=INTERPRET)
    def back_pain_in_a_hinge_is_pain_when_hinging(self):
        """Back pain during the hinge test is pain when hinging."""
        self.finding("pain_when_hinging", "both")

    @cites("article-hinge", concludes="pain_when_hinging")
    @Rule(answer("symptoms.worse_with", value="bending_lifting"), salience=INTERPRET)
    def pain_with_bending_or_lifting_is_pain_when_hinging(self):
        """Pain that is worse with bending and lifting is pain when hinging."""
        self.finding("pain_when_hinging", "both")

    @cites("article-drill-ir-hinge", concludes="feels_stuck_in_hip")
    @Rule(answer("movement.feels_stuck_in_hip", value=MATCH.side & SIDED),
          salience=INTERPRET)
    def feeling_stuck_in_the_hip_is_a_finding(self, side):
        """Feeling 'stuck' in the hip is a finding on that side."""
        self.finding("feels_stuck_in_hip", side)

    @cites("article-drill-ir-hinge", concludes="back_pain_after_leg_day")
    @Rule(answer("symptoms.worse_with", value="after_leg_day"), salience=INTERPRET)
    def pain_after_leg_day_is_a_finding(self):
        """Back pain after leg days is a finding."""
        self.finding("back_pain_after_leg_day", "both")

    @cites("design-screening", concludes="limited_hip_ir",
           overrides="reported_limited_ir_is_a_finding_when_not_measured",
           uses=("hip_ir_limited_below_degrees", "hip_ir_side_difference_degrees"))
    @Rule(answer("movement.hip_ir_degrees", value=MATCH.degrees), salience=INTERPRET)
    def measured_ir_under_the_floor_or_behind_the_other_side_is_limited(self, degrees):
        """Measured hip internal rotation is limited on a side when it is
        {hip_ir_limited_below_degrees}, or when it trails the other side by
        {hip_ir_side_difference_degrees}. When degrees are given they decide."""
        left, right = degrees
        limited = [side for side, own, other in (("left", left, right), ("right", right, left))
                   if meets("hip_ir_limited_below_degrees", own)
                   or meets("hip_ir_side_difference_degrees", other - own)]
        if limited:
            self.finding("limited_hip_ir", "both" if len(limited) == 2 else limited[0])

    @cites("article-rotation", concludes="limited_hip_ir")
    @Rule(answer("movement.hip_ir_limited", value=MATCH.side & SIDED),
          NOT(answer("movement.hip_ir_degrees")), salience=INTERPRET)
    def reported_limited_ir_is_a_finding_when_not_measured(self, side):
        """Hip internal rotation reported as limited is a finding on that side, unless degrees
        were measured (then the degrees decide)."""
        self.finding("limited_hip_ir", side)

    @cites("article-rotation", concludes="pain_with_rotation")
    @Rule(answer("symptoms.worse_with",
                 value=one_of("rotation", "getting_out_of_car")), salience=INTERPRET)
    def pain_with_rotation_or_getting_out_of_a_car_is_a_finding(self):
        """Pain with rotation (golf, throwing) or getting out of a car is pain with rotation."""
        self.finding("pain_with_rotation", "both")

    @cites("article-drill-sl-hinge", concludes="hamstring_cramp_in_single_leg_hinge")
    @Rule(answer("drill_response.hamstring_cramp",
                 value=one_of("single_leg_hip_hinge", "kickstand_hinge")),
          salience=INTERPRET)
    def hamstring_cramp_in_a_single_leg_hinge_is_a_finding(self):
        """A hamstring cramp during a single-leg (or kickstand) hinge is a finding."""
        self.finding("hamstring_cramp_in_single_leg_hinge", "both")

    @cites("article-rotation", concludes="stretching_relief_does_not_last")
    @Rule(answer("symptoms.stretching_only_temporary_relief", value=True),
          salience=INTERPRET)
    def short_lived_stretching_relief_is_a_finding(self):
        """Stretching that helps only for a while is a finding."""
        self.finding("stretching_relief_does_not_last", "both")

    @cites("article-intro", concludes="keeps_coming_back")
    @Rule(answer("symptoms.keeps_coming_back", value=True), salience=INTERPRET)
    def recurring_pain_is_a_finding(self):
        """Pain that keeps coming back is a finding."""
        self.finding("keeps_coming_back", "both")
