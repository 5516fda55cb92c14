"""Stage 1, safety: red-flag answers -> red flags -> triage. Each rule cites its guideline row."""

from experta import AND, AS, EXISTS, NOT, OR, Rule

from hipscreen.rules.facts import DrillsStopped, Ng65Criterion, RedFlag, answer, finding
from hipscreen.rules.meta import SAFETY, TRIAGE, cites, meets, meets_threshold, one_of, starts_with

SIDED = one_of("left", "right", "both")
# leg symptoms known to be older than "new" (GIRFT: within 14 days)
LEGS_LONGSTANDING = answer("symptoms.leg_symptoms_weeks",
                           value=meets_threshold("leg_symptoms_longstanding_weeks"))
# Where a child's hip problem can hurt: a slipped growth plate often hurts only in the thigh or
# knee (NICE CKS, acute childhood limp).
CHILD_HIP_PLACES = ("groin_", "front_hip_", "thigh_front_", "knee_")
BACK_PLACES = ("low_back_", "si_")
HIP_PLACES = ("groin_", "front_hip_")
NG65_FEATURES = ("wakes_second_half_of_night", "better_with_movement",
                 "better_with_anti_inflammatories", "family_spondyloarthritis",
                 "arthritis_history", "enthesitis_history", "psoriasis_history")


def _yes(name: str):
    return answer(f"safety.{name}", value=True)


def _age(threshold: str):
    return answer("age", value=meets_threshold(threshold))


class SafetyRules:
    """Red flags come first; emergency and urgent rows stop every drill."""

    # -- emergency -----------------------------------------------------------------------
    @cites("girft-ces-2023", concludes="cauda_equina")
    @Rule(OR(_yes("bladder_or_bowel_change"), _yes("saddle_numbness"),
             _yes("sexual_function_change")), salience=SAFETY)
    def bladder_bowel_saddle_or_sexual_change_means_cauda_equina_emergency(self):
        """New bladder or bowel trouble, saddle numbness, or a change in sexual function:
        emergency department now (possible cauda equina syndrome)."""
        self.red_flag("cauda_equina")

    @cites("girft-ces-2023", concludes="cauda_equina")
    @Rule(OR(_yes("both_legs_numb_or_weak"), _yes("both_legs_pain_or_tingling"),
             AND(answer("symptoms.locations", value="below_knee_left"),
                 answer("symptoms.locations", value="below_knee_right"))),
          NOT(LEGS_LONGSTANDING), salience=SAFETY)
    def new_symptoms_in_both_legs_mean_cauda_equina_emergency(self):
        """Pain, tingling, numbness or weakness in both legs (asked, or pain below both knees on
        the body map), unless the leg symptoms are known to have lasted
        {leg_symptoms_longstanding_weeks}: new bilateral leg symptoms, emergency department now.
        When their duration was not asked, they count as new."""
        self.red_flag("cauda_equina")

    @cites("girft-ces-2023", concludes="both_legs_longstanding")
    @Rule(OR(_yes("both_legs_numb_or_weak"), _yes("both_legs_pain_or_tingling"),
             AND(answer("symptoms.locations", value="below_knee_left"),
                 answer("symptoms.locations", value="below_knee_right"))),
          LEGS_LONGSTANDING, salience=SAFETY)
    def longstanding_symptoms_in_both_legs_are_urgent(self):
        """Symptoms in both legs that have lasted {leg_symptoms_longstanding_weeks} (longer than
        about 14 days): an urgent referral
        and scan (the pathway's route for bilateral symptoms that are not new; worsening
        weakness is its own urgent row)."""
        self.red_flag("both_legs_longstanding")

    @cites("nice-cks-hip-fracture", concludes="hip_fracture")
    @Rule(_yes("cannot_bear_weight"), OR(_yes("significant_trauma"), _yes("recent_fall_or_injury")),
          salience=SAFETY)
    def trauma_and_cannot_bear_weight_means_fracture_emergency(self):
        """Cannot bear weight after a fall or an injury: emergency department now (possible hip
        fracture)."""
        self.red_flag("hip_fracture")

    @cites("nice-cks-hip-fracture", concludes="hip_fracture")
    @Rule(_yes("cannot_bear_weight"), _age("older_adult_age_at_least"), salience=SAFETY)
    def older_person_who_cannot_bear_weight_may_have_a_broken_hip(self):
        """At an age {older_adult_age_at_least}, being unable to bear weight is a possible hip
        fracture even when no fall is remembered: emergency department now."""
        self.red_flag("hip_fracture")

    @cites("nice-cks-hip-fracture", concludes="hip_fracture")
    @Rule(_yes("cannot_bear_weight"), _yes("osteoporosis_or_steroids"), salience=SAFETY)
    def fragile_bones_and_cannot_bear_weight_may_be_a_broken_hip(self):
        """Osteoporosis or long steroid use and being unable to bear weight: a possible fragility
        fracture of the hip, emergency department now."""
        self.red_flag("hip_fracture")

    @cites("bsr-boa-hot-joint", concludes="joint_infection")
    @Rule(_yes("hot_swollen_hip"), salience=SAFETY)
    def hot_swollen_hip_means_infection_emergency(self):
        """A hot, swollen hip is a joint infection until proven otherwise, with or without a
        fever: emergency department now."""
        self.red_flag("joint_infection")

    @cites("bsr-boa-hot-joint", concludes="joint_infection")
    @Rule(answer("safety.hip_surgery", value=one_of("under_12_weeks", "over_12_weeks")),
          _yes("fever_or_unwell"), salience=SAFETY)
    def operated_hip_with_fever_means_infection_emergency(self):
        """A fever or feeling unwell after a hip replacement or other hip surgery: a possible
        infection of the joint, emergency department now."""
        self.red_flag("joint_infection")

    @cites("nice-cks-limp", concludes="joint_infection")
    @Rule(_age("child_age_below"), _yes("new_limp"), _yes("fever_or_unwell"), salience=SAFETY)
    def child_with_a_limp_and_fever_means_infection_emergency(self):
        """An age {child_age_below} with a new limp and a fever or feeling unwell: a possible
        joint or bone infection, emergency department now."""
        self.red_flag("joint_infection")

    @cites("nice-ng156", concludes="aortic_aneurysm")
    @Rule(_yes("sudden_severe_pain"), _yes("faint_clammy_or_collapsed"), salience=SAFETY)
    def sudden_severe_pain_with_collapse_means_call_an_ambulance(self):
        """Sudden, very bad back or belly pain with feeling faint, clammy or collapsing: call an
        ambulance (a ruptured aortic aneurysm is the first thing to rule out, NICE NG156; we
        raise it at any age, because collapse with such pain is an emergency whatever its
        cause)."""
        self.red_flag("aortic_aneurysm")

    # -- urgent ----------------------------------------------------------------------------
    @cites("nice-ng156", concludes="sudden_severe_pain_older")
    @Rule(_yes("sudden_severe_pain"), _age("aaa_age_at_least"), salience=SAFETY)
    def sudden_severe_pain_at_50_or_over_is_urgent(self):
        """Sudden, very bad back or belly pain unlike the usual pain, at an age
        {aaa_age_at_least}: same-day assessment (an unruptured aneurysm can hurt before it
        bursts)."""
        self.red_flag("sudden_severe_pain_older")

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
    @Rule(OR(_yes("significant_trauma"), _yes("cannot_bear_weight")), salience=SAFETY)
    def trauma_or_cannot_bear_weight_is_urgent(self):
        """Significant trauma, or being unable to bear weight, each on its own, needs a same-day
        assessment. (A hot swollen hip is now its own emergency row.)"""
        self.red_flag("trauma_or_weight_bearing_or_hot_hip")

    @cites("ifompt-2020", concludes="fall_with_fragile_bones")
    @Rule(_yes("recent_fall_or_injury"),
          OR(_age("older_adult_age_at_least"), _yes("osteoporosis_or_steroids")), salience=SAFETY)
    def recent_fall_with_fragile_bones_is_urgent(self):
        """A fall or trip in the last 2 weeks at an age {older_adult_age_at_least}, or with
        osteoporosis or long steroid use: a possible fragility fracture, same-day assessment."""
        self.red_flag("fall_with_fragile_bones")

    @cites("ifompt-2020", concludes="cancer_with_warning_signs")
    @Rule(_yes("cancer_history"),
          OR(_yes("unexplained_weight_loss"), _yes("constant_night_pain")), salience=SAFETY)
    def cancer_with_weight_loss_or_night_pain_is_urgent(self):
        """A history of cancer with unexplained weight loss or constant night pain needs a
        same-day assessment."""
        self.red_flag("cancer_with_warning_signs")

    @cites("nice-cks-limp", concludes="child_hip_or_groin_pain")
    @Rule(_age("child_age_below"),
          answer("symptoms.locations", value=starts_with(CHILD_HIP_PLACES)), salience=SAFETY)
    def child_with_hip_thigh_or_knee_pain_is_urgent(self):
        """An age {child_age_below} with pain in the groin, the front of the hip, the thigh or
        the knee: same day, because a slipped growth plate must be ruled out (it often hurts
        only in the thigh or knee)."""
        self.red_flag("child_hip_or_groin_pain")

    @cites("nice-cks-limp", concludes="child_hip_or_groin_pain")
    @Rule(_age("child_age_below"), _yes("new_limp"), salience=SAFETY)
    def child_with_a_limp_is_urgent(self):
        """An age {child_age_below} with a new limp: same day (slipped growth plate, infection
        or a fracture must be ruled out)."""
        self.red_flag("child_hip_or_groin_pain")

    @cites("nice-cks-limp", concludes="child_hip_or_groin_pain")
    @Rule(_age("child_age_below"), finding("limited_hip_ir"), salience=SAFETY)
    def child_whose_hip_will_not_turn_in_is_urgent(self):
        """An age {child_age_below} with a hip that will not turn in (limited internal
        rotation): same day, a sign of a slipped growth plate."""
        self.red_flag("child_hip_or_groin_pain")

    # -- clinician review ------------------------------------------------------------------
    @cites("ifompt-2020", concludes="serious_pathology_risk")
    @Rule(OR(_yes("cancer_history"), _yes("unexplained_weight_loss"),
             _yes("constant_night_pain"), _yes("osteoporosis_or_steroids")), salience=SAFETY)
    def cancer_weight_loss_night_pain_or_steroids_needs_review(self):
        """Past cancer, unexplained weight loss, constant night pain, or osteoporosis or long-term
        steroids, on its own: see a doctor within days."""
        self.red_flag("serious_pathology_risk")

    @cites("ifompt-2020", concludes="infection_risk")
    @Rule(OR(_yes("immunosuppressed"), _yes("recent_infection")), salience=SAFETY)
    def weak_immune_system_or_recent_infection_needs_review(self):
        """A weakened immune system, injecting drugs, or a recent infection raises the risk of
        spinal infection: see a doctor within days."""
        self.red_flag("infection_risk")

    @cites("nice-ng65", concludes="ng65_criterion")
    @Rule(OR(*(AS.said << _yes(name) for name in NG65_FEATURES)), salience=SAFETY)
    def an_ng65_feature_counts_as_a_criterion(self, said):
        """Each of NICE NG65's features the person reports counts once: waking in the second half
        of the night, better with movement, better within 48 hours of anti-inflammatories, a
        parent, sibling or child with spondyloarthritis, and arthritis, enthesitis or psoriasis
        now or in the past."""
        self.declare_because(Ng65Criterion(id=said["field"].removeprefix("safety.")), [said])

    @cites("nice-ng65", concludes="ng65_criterion")
    @Rule(answer("symptoms.locations", value=starts_with("deep_glute_")), salience=SAFETY)
    def buttock_pain_counts_as_an_ng65_criterion(self):
        """Buttock pain is one of NICE NG65's criteria."""
        self.declare(Ng65Criterion(id="buttock_pain"))

    @cites("nice-ng65", concludes="ng65_criterion")
    @Rule(OR(answer("symptoms.first_episode_age", value=meets_threshold("ibp_early_onset_age_below")),
             answer("age", value=meets_threshold("ibp_early_onset_age_below"))),
          salience=SAFETY)
    def back_pain_before_35_counts_as_an_ng65_criterion(self):
        """Back pain that began at an age {ibp_early_onset_age_below} is one of NICE NG65's
        criteria (when the first age is not given, an age now below it means it began below it)."""
        self.declare(Ng65Criterion(id="began_before_35"))

    @cites("nice-ng65", concludes="inflammatory_back_pain", uses=("ibp_criteria_at_least",))
    @Rule(EXISTS(Ng65Criterion()),
          OR(answer("symptoms.first_episode_age", value=meets_threshold("ibp_onset_age_below")),
             answer("age", value=meets_threshold("ibp_onset_age_below"))),
          OR(answer("symptoms.weeks", value=meets_threshold("ibp_duration_weeks")),
             answer("symptoms.keeps_coming_back", value=True)),
          salience=SAFETY - 1)
    def enough_ng65_criteria_mean_inflammatory_back_pain(self):
        """Back pain that began at an age {ibp_onset_age_below} and has lasted more than 3 months
        (an episode {ibp_duration_weeks} long, or pain that keeps coming back), with
        {ibp_criteria_at_least} of NICE NG65's criteria: see a doctor (3: an HLA-B27 test; 4 or
        more: a rheumatologist). Morning stiffness alone is not one of NG65's criteria."""
        criteria = self.facts_of(Ng65Criterion)
        if meets("ibp_criteria_at_least", len(criteria)):
            self.red_flag("inflammatory_back_pain", because=criteria)

    @cites("nice-ng226", concludes="hip_joint_pattern")
    @Rule(answer("symptoms.locations", value=starts_with(HIP_PLACES)),
          OR(finding("limited_hip_ir"), finding("feels_stuck_in_hip"),
             answer("movement.front_hip_pinch", value=SIDED)),
          NOT(answer("symptoms.locations", value=starts_with(BACK_PLACES))),
          NOT(answer("age", value=meets_threshold("child_age_below"))), salience=SAFETY)
    def groin_pain_without_back_pain_and_a_stiff_hip_needs_review(self):
        """Groin or front-of-hip pain with limited internal rotation, a stuck hip or a pinch in
        deep flexion, when the hip (not the low back) is the complaint: the hip joint itself
        (osteoarthritis, FAI syndrome, avascular necrosis) needs a clinician first (Warwick
        Agreement: FAI syndrome is a clinician's diagnosis with imaging)."""
        self.red_flag("hip_joint_pattern")

    @cites("nice-ng226", concludes="hip_joint_pattern")
    @Rule(answer("symptoms.locations", value=starts_with("groin_")),
          OR(finding("limited_hip_ir"), finding("feels_stuck_in_hip"),
             answer("movement.front_hip_pinch", value=SIDED)),
          _age("hip_joint_age_at_least"), salience=SAFETY)
    def groin_pain_and_a_stiff_hip_at_45_or_over_needs_review(self):
        """Groin pain with limited internal rotation, a stuck hip or a pinch, at an age
        {hip_joint_age_at_least}: possible hip osteoarthritis (NICE NG226), a clinician first.
        Low back pain with a front-of-hip pinch and no groin pain stays the article's pattern."""
        self.red_flag("hip_joint_pattern")

    @cites("hipscreen-heuristic", concludes="not_settling")
    @Rule(answer("symptoms.weeks", value=meets_threshold("episode_not_settling_weeks")),
          NOT(answer("symptoms.keeps_coming_back", value=True)), salience=SAFETY)
    def one_long_episode_that_has_not_settled_needs_review(self):
        """One continuous episode (not the come-and-go pattern) lasting
        {episode_not_settling_weeks}: see a clinician."""
        self.red_flag("not_settling")

    @cites("ifompt-2020", concludes="first_episode_older")
    @Rule(answer("symptoms.first_episode_age", value=meets_threshold("first_episode_age_at_least")),
          salience=SAFETY)
    def first_back_pain_at_50_or_over_needs_review(self):
        """Back pain that first began at an age {first_episode_age_at_least}: see a doctor
        (IFOMPT lists a first episode at over 50 as a risk sign for serious pathology)."""
        self.red_flag("first_episode_older")

    @cites("ifompt-2020", concludes="young_back_pain")
    @Rule(_age("young_back_pain_age_below"), salience=SAFETY)
    def back_pain_in_a_child_needs_review(self):
        """Back pain at an age {young_back_pain_age_below}: see a doctor (a serious cause is more
        likely in children)."""
        self.red_flag("young_back_pain")

    @cites("nice-ng59", concludes="nerve_or_severe_pain")
    @Rule(OR(answer("symptoms.pins_and_needles_below_knee", value=True),
             answer("symptoms.pain_worst_week",
                    value=meets_threshold("severe_pain_worst_week"))),
          salience=SAFETY)
    def nerve_symptoms_or_severe_pain_need_review(self):
        """Pins and needles below the knee (NICE NG59: sciatica), or worst pain in the last week
        {severe_pain_worst_week} (our heuristic): see a clinician before starting the plan."""
        self.red_flag("nerve_or_severe_pain")

    @cites("hip-precautions", concludes="recent_hip_surgery")
    @Rule(answer("safety.hip_surgery", value="under_12_weeks"), salience=SAFETY)
    def recent_hip_surgery_defers_to_surgical_team(self):
        """Hip surgery under 12 weeks ago: follow the surgical team's rehabilitation; no drills
        from this screen."""
        self.red_flag("recent_hip_surgery")

    @cites("design-safety", concludes="safety_not_asked")
    @Rule(answer("safety.not_asked"), salience=SAFETY)
    def safety_questions_not_asked_mean_no_plan(self):
        """A safety question that was never asked is not a 'no': until every one is answered
        there is no self-care and no drill."""
        self.red_flag("safety_not_asked")

    # -- from red flags to triage -------------------------------------------------------
    @cites("design-safety", concludes=("emergency", "urgent", "clinician_review"))
    @Rule(EXISTS(RedFlag()), salience=TRIAGE)
    def most_urgent_red_flag_sets_triage(self):
        """The triage level is that of the most urgent red flag met."""
        flags = self.facts_of(RedFlag)
        level = min((f["level"] for f in flags), key=self.triage_rank)
        self.declare_because(self.triage_fact(level), [f for f in flags if f["level"] == level])

    @cites("design-safety", concludes="self_care")
    @Rule(NOT(RedFlag()), salience=TRIAGE)
    def no_red_flag_means_self_care(self):
        """No red flag: self-care with the plan and 'see a clinician if...' safety-netting."""
        self.declare(self.triage_fact("self_care"))

    @cites("design-safety", concludes="drills_stopped")
    @Rule(AS.flag << RedFlag(stops_drills=True), salience=TRIAGE)
    def stopping_red_flag_stops_all_drills(self, flag):
        """An emergency or urgent red flag, surgery under 12 weeks, or safety questions never
        asked, stop every drill."""
        self.declare(DrillsStopped(red_flag=flag["id"]))
