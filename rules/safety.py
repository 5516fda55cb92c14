"""Stage 1, safety: red-flag answers -> red flags -> triage. Each rule cites its guideline row."""

from experta import AS, EXISTS, NOT, OR, Rule

from hipscreen.rules.facts import DrillsStopped, RedFlag, answer
from hipscreen.rules.meta import SAFETY, TRIAGE, cites, meets_threshold, starts_with


def _yes(name: str):
    return answer(f"safety.{name}", value=True)


class SafetyRules:
    """Red flags come first; emergency and urgent rows stop every drill."""

    @cites("uk-ces-pathway", concludes="cauda_equina")
    @Rule(OR(_yes("bladder_or_bowel_change"), _yes("saddle_numbness"),
             _yes("both_legs_numb_or_weak")), salience=SAFETY)
    def bladder_saddle_or_both_legs_means_cauda_equina_emergency(self):
        """Bladder or bowel change, saddle numbness, or both legs numb or weak: emergency
        department now (possible cauda equina syndrome)."""
        self.red_flag("cauda_equina")

    @cites("ifompt-2020", concludes="hip_fracture")
    @Rule(_yes("cannot_bear_weight"), _yes("significant_trauma"), salience=SAFETY)
    def trauma_and_cannot_bear_weight_means_fracture_emergency(self):
        """Cannot bear weight after significant trauma: emergency department now (possible hip
        fracture)."""
        self.red_flag("hip_fracture")

    @cites("nice-cks-septic-arthritis", concludes="joint_infection")
    @Rule(_yes("hot_swollen_hip"), _yes("fever_or_unwell"), salience=SAFETY)
    def hot_swollen_hip_with_fever_means_infection_emergency(self):
        """A hot, swollen hip with fever or feeling unwell: emergency department now (possible
        joint infection)."""
        self.red_flag("joint_infection")

    @cites("ifompt-2020", concludes="worsening_leg_weakness")
    @Rule(_yes("worsening_leg_weakness"), salience=SAFETY)
    def worsening_leg_weakness_is_urgent(self):
        """Leg weakness that is getting worse needs a same-day medical assessment."""
        self.red_flag("worsening_leg_weakness")

    @cites("ifompt-2020", concludes="fever_with_back_pain")
    @Rule(_yes("fever_or_unwell"), salience=SAFETY)
    def fever_with_back_pain_is_urgent(self):
        """Back pain with fever or feeling unwell needs a same-day assessment (possible
        infection)."""
        self.red_flag("fever_with_back_pain")

    @cites("ifompt-2020", concludes="trauma_or_weight_bearing_or_hot_hip")
    @Rule(OR(_yes("significant_trauma"), _yes("cannot_bear_weight"), _yes("hot_swollen_hip")),
          salience=SAFETY)
    def trauma_weight_bearing_or_hot_hip_is_urgent(self):
        """Significant trauma, being unable to bear weight, or a hot swollen hip, each on its
        own, needs a same-day assessment."""
        self.red_flag("trauma_or_weight_bearing_or_hot_hip")

    @cites("ifompt-2020", concludes="cancer_with_warning_signs")
    @Rule(_yes("cancer_history"),
          OR(_yes("unexplained_weight_loss"), _yes("constant_night_pain")), salience=SAFETY)
    def cancer_with_weight_loss_or_night_pain_is_urgent(self):
        """A history of cancer with unexplained weight loss or constant night pain needs a
        same-day assessment."""
        self.red_flag("cancer_with_warning_signs")

    @cites("nice-cks-scfe", concludes="child_hip_or_groin_pain")
    @Rule(answer("age", value=meets_threshold("child_age_below")),
          answer("symptoms.locations",
                 value=starts_with(("groin_", "front_hip_"))),
          salience=SAFETY)
    def child_with_groin_or_front_hip_pain_is_urgent(self):
        """An age {child_age_below} with pain in the groin or the front of the hip: same day,
        because a slipped growth plate must be ruled out."""
        self.red_flag("child_hip_or_groin_pain")

    @cites("ifompt-2020", concludes="serious_pathology_risk")
    @Rule(OR(_yes("cancer_history"), _yes("unexplained_weight_loss"),
             _yes("constant_night_pain"), _yes("osteoporosis_or_steroids")), salience=SAFETY)
    def cancer_weight_loss_night_pain_or_steroids_needs_review(self):
        """Past cancer, unexplained weight loss, constant night pain, or osteoporosis or long-term
        steroids, on its own: see a doctor within days."""
        self.red_flag("serious_pathology_risk")

    @cites("ifompt-2020", concludes="infection_risk")
    @Rule(_yes("immunosuppressed"), salience=SAFETY)
    def immunosuppression_needs_review(self):
        """A weakened immune system (or injecting drugs) raises the risk of spinal infection:
        see a doctor within days."""
        self.red_flag("infection_risk")

    @cites("nice-ng65", concludes="inflammatory_back_pain")
    @Rule(_yes("morning_stiffness_over_30_min"), salience=SAFETY)
    def long_morning_stiffness_needs_review(self):
        """Morning stiffness over 30 minutes suggests inflammatory back pain: see a doctor."""
        self.red_flag("inflammatory_back_pain")

    @cites("nice-ng59", concludes="nerve_or_severe_pain")
    @Rule(OR(answer("symptoms.pins_and_needles_below_knee", value=True),
             answer("symptoms.pain_worst_week",
                    value=meets_threshold("severe_pain_worst_week"))),
          salience=SAFETY)
    def nerve_symptoms_or_severe_pain_need_review(self):
        """Pins and needles below the knee, or worst pain in the last week
        {severe_pain_worst_week}: see a clinician before starting the plan."""
        self.red_flag("nerve_or_severe_pain")

    @cites("hip-precautions", concludes="recent_hip_surgery")
    @Rule(answer("safety.hip_surgery", value="under_12_weeks"), salience=SAFETY)
    def recent_hip_surgery_defers_to_surgical_team(self):
        """Hip surgery under 12 weeks ago: follow the surgical team's rehabilitation; no drills
        from this screen."""
        self.red_flag("recent_hip_surgery")

    # -- from red flags to triage -------------------------------------------------------
    @cites("ifompt-2020", concludes=("emergency", "urgent", "clinician_review"))
    @Rule(EXISTS(RedFlag()), salience=TRIAGE)
    def most_urgent_red_flag_sets_triage(self):
        """The triage level is that of the most urgent red flag met."""
        flags = self.facts_of(RedFlag)
        level = min((f["level"] for f in flags), key=self.triage_rank)
        self.declare_because(self.triage_fact(level), [f for f in flags if f["level"] == level])

    @cites("nice-ng59", concludes="self_care")
    @Rule(NOT(RedFlag()), salience=TRIAGE)
    def no_red_flag_means_self_care(self):
        """No red flag: self-care with the plan and 'see a clinician if...' safety-netting."""
        self.declare(self.triage_fact("self_care"))

    @cites("ifompt-2020", concludes="drills_stopped")
    @Rule(AS.flag << RedFlag(stops_drills=True), salience=TRIAGE)
    def stopping_red_flag_stops_all_drills(self, flag):
        """An emergency or urgent red flag, or surgery under 12 weeks, stops every drill."""
        self.declare(DrillsStopped(red_flag=flag["id"]))
