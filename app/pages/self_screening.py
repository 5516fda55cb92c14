"""Self-screening: one step at a time, safety questions first, then symptoms with a body map,
then guided self-tests that can each be skipped. The answers live in this session only."""

from __future__ import annotations

import streamlit as st

from hipscreen.app import language, widgets
from hipscreen.app.body_map import body_map_alt, body_map_svg
from hipscreen.app.intake_form import build_intake, hinge_answer, screen_values
from hipscreen.app.questions import (
    EMERGENCY_GROUPS,
    HEALTH_GROUPS,
    MOVEMENT_QUESTIONS,
    MOVEMENT_REVIEW_LABELS,
    NOT_TESTED,
    SAFETY_HELP,
    SELF_TESTS,
    QuestionGroup,
    SelfTest,
    movement_option_words,
    movement_options,
    safety_step_of,
)
from hipscreen.i18n import _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.knowledge.intake import Activity, Aggravator, HingeFault, Location, Safety
from hipscreen.screening import screen
from hipscreen.words import (
    ACTIVITY_LABELS,
    AGGRAVATOR_LABELS,
    HAMSTRING_LABELS,
    HINGE_FAULT_LABELS,
    HIP_SURGERY_LABELS,
    LOCATION_LABELS,
    SEX_LABELS,
    answer_text,
    field_label,
)

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

STORE = "self_answers"
STEP = "self_step"
PREFIX = "self:"
HINGE_TESTED = "ui.hinge_tested"
# st.session_state: the keys of the steps this person has reached (seen). A safety question on
# a step never reached was not asked: None in the intake, never "no".
REACHED = "self_reached"
TO_RESULT = "self_to_result"  # "See my result" was pressed: this run opens the result page

STEPS: list[tuple[str, str]] = [
    ("safety", _("Safety first")),
    ("health", _("More health questions")),
    ("about", _("About you")),
    ("symptoms", _("Your symptoms")),
    *[(f"test:{t.key}", _("Self-test: {title}", title=_(t.title))) for t in SELF_TESTS],
    ("review", _("Check your answers")),
]

if st.session_state.pop(TO_RESULT, False):
    st.switch_page("pages/result.py")
store: dict = st.session_state.setdefault(STORE, {})
step = st.session_state.setdefault(STEP, 0)
reached: list = st.session_state.setdefault(REACHED, [])
if STEPS[step][0] not in reached:
    reached.append(STEPS[step][0])


# A list answer is a column of tick boxes, one per choice (keys self:<tag>:<value>): on a phone a
# tick box is one tap, where a drop-down list covers the buttons and its field changes size.
TICK_LISTS: dict[str, tuple[str, list[str]]] = {
    "act": ("activities", [a.value for a in Activity]),
    "loc": ("symptoms.locations", [loc.value for loc in Location]),
    "worse": ("symptoms.worse_with", [a.value for a in Aggravator]),
    "hinge": ("movement.hinge_faults", [f.value for f in HingeFault]),
}


def sync() -> None:
    """Copy the answers of the widgets on screen into the store (a button's callback runs before
    the widgets are drawn again, so the store must not wait for the next run)."""
    ticked: dict[str, set[str]] = {}
    for key, value in list(st.session_state.items()):
        key = str(key)
        if not key.startswith(PREFIX):
            continue
        path = key[len(PREFIX):]
        tag, colon, choice = path.partition(":")
        if colon and tag in TICK_LISTS:
            ticked.setdefault(tag, set())
            if value:
                ticked[tag].add(choice)
        else:
            store[path] = value
    for tag, chosen in ticked.items():
        path, choices = TICK_LISTS[tag]
        store[path] = [c for c in choices if c in chosen]


def tick_list(tag: str, labels: dict[str, str]) -> list[str]:
    """The choices of a list answer as tick boxes, each one easy to tap; returns (and stores)
    the ticked ones, in the list's own order."""
    path, choices = TICK_LISTS[tag]
    chosen = set(store.get(path) or [])
    picked = []
    with widgets.questions(tag):
        for choice in choices:
            key = f"{PREFIX}{tag}:{choice}"
            if key not in st.session_state:
                st.session_state[key] = choice in chosen
            if st.checkbox(labels[choice], key=key):
                picked.append(choice)
    store[path] = picked
    return picked


def go(to: int) -> None:
    sync()
    st.session_state[STEP] = max(0, min(len(STEPS) - 1, to))


def restart() -> None:
    st.session_state[STORE] = {}
    st.session_state[STEP] = 0
    st.session_state[REACHED] = []
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


def skip_test(fields: tuple[str, ...]) -> None:
    """Mark every question of a self-test as not tested and move on."""
    for name in fields:
        value = NOT_TESTED
        store[f"movement.{name}"] = value
        st.session_state.pop(f"{PREFIX}movement.{name}", None)
    if "hinge_faults" in fields:
        store[HINGE_TESTED] = False
        st.session_state.pop(f"{PREFIX}{HINGE_TESTED}", None)
    go(st.session_state[STEP] + 1)


def intake_values() -> dict:
    """The answers so far as dotted intake paths (widget-only keys left out). A safety question
    on a step the person has reached and left unticked is "no"; one on a step not reached yet
    is None: not asked."""
    values = {k: v for k, v in store.items() if not k.startswith("ui.")}
    values["mode"] = "self"
    for name, field in Safety.model_fields.items():
        path = f"safety.{name}"
        if safety_step_of(name) not in reached:
            values[path] = None
        elif values.get(path) is None:
            values[path] = field.default
    if HINGE_TESTED in store:
        faults = store.get("movement.hinge_faults", []) if store[HINGE_TESTED] else []
        values["movement.hinge_faults"] = hinge_answer(store[HINGE_TESTED], faults)
    return values


def check_answers(banner) -> tuple[bool, dict[str, str]]:
    """Screen the answers so far, a red flag first: at emergency or urgent show the action at
    once and stop, whatever else is wrong, in `banner` (a container at the top of the step)
    brought into view with the focus on it and read out (role "alert"), and again where the
    Next button was, so the stop is seen wherever the person is. Returns (stopped, the errors of
    the answers in words by field path); a stop lists the errors too."""
    if store.get("age") is None:
        return False, {}
    screened = screen_values(intake_values())
    if not screened.stops:
        return False, screened.errors
    result = screened.result
    st.session_state[widgets.RESULT_KEY] = result
    st.session_state[widgets.RESULT_FROM_KEY] = "self"
    triage = result.triage
    with banner:
        widgets.triage_banner(triage)
        widgets.what_to_tell(result)
        st.markdown(_("**Please act on this now. The screening stops here and gives no "
                      "exercises.**  \nIf you ticked a box by mistake, untick it to carry on."))
        if screened.errors:
            st.warning(_("**Some other answers need fixing. That does not change this stop.**")
                       + "\n"
                       + "\n".join(f"- {field_label(path)}: {message}"
                                   for path, message in screened.errors.items()),
                       icon=":material/edit:")
    # the banner itself is the announcement (role "alert": a screen reader reads it out at once,
    # and it takes the focus); a toast would cover its title on a phone
    nonce = "|".join([triage.level, *sorted(f.id for f in triage.red_flags)])
    with banner:
        widgets.reveal_stop(nonce)
    return True, screened.errors


def safety_questions(groups: tuple[QuestionGroup, ...], *, disabled: bool = False) -> None:
    """The yes/no safety questions of a step, a short heading over each group."""
    for index, (heading, names) in enumerate(groups):
        st.markdown(f"**{_(heading)}**")
        with widgets.questions(f"{STEPS[step][0]}_{index}"):
            for name in names:
                widgets.bound(st.checkbox, store, f"safety.{name}", False, prefix=PREFIX,
                              label=field_label(f"safety.{name}"), disabled=disabled,
                              help=_(SAFETY_HELP.get(name)))


def stopped_here() -> None:
    """Where the Next button was: the stop again, in short."""
    result = st.session_state[widgets.RESULT_KEY]
    st.error(_("**The screening has stopped: {level}.** {action} See the box at the top of this "
               "step.", level=result.triage.label, action=result.triage.action),
             icon=":material/emergency:")


def step_of_field(path: str) -> int:
    """The number of the step that asks the answer at `path` (where to go to change it)."""
    if path.startswith("safety."):
        key = safety_step_of(path.partition(".")[2])
    elif path == "age":
        key = "safety"
    elif path in ("sex", "activities"):
        key = "about"
    elif path.startswith("movement."):
        name = path.split(".")[1]
        key = next((f"test:{t.key}" for t in SELF_TESTS if name in t.fields), "review")
    else:
        key = "symptoms"
    return next(i for i, (k, _title) in enumerate(STEPS) if k == key)


def nav(*, can_go_on: bool = True, next_label: str | None = None, stopped: bool = False,
        to_fix: dict[str, str] | None = None) -> None:
    """Back and Next. With answers `to_fix` on this step, Next waits and says what to fix."""
    if stopped:
        stopped_here()
    if to_fix:
        st.error(_("**Please fix this before you go on:**") + "\n" + "\n".join(
            f"- {field_label(path)}: {message}" for path, message in to_fix.items()),
            icon=":material/edit:")
    back, _gap, forward = st.columns([1, 3, 1])
    if step > 0:
        back.button(_("Back"), key="back", on_click=go, args=(step - 1,), width="stretch")
    if can_go_on:
        forward.button(next_label or _("Next"), key="next", type="primary", on_click=go, args=(step + 1,),
                       width="stretch", disabled=bool(to_fix))


def safety_step() -> None:
    banner = st.container(key=widgets.STOP_BANNER_KEY)
    st.write(_("Before anything else, a few questions to make sure this screen is right for you. "
               "Tick any that are true **now**."))
    age = widgets.bound(st.number_input, store, "age", None, prefix=PREFIX,
                        label=_("Your age in years"), min_value=8, max_value=110, step=1,
                        help=_("Some hip problems in children and teenagers need a doctor the "
                               "same day, so we ask your age first."))
    if age is None:
        st.caption(_("Enter your age first; then the questions below open."))
    safety_questions(EMERGENCY_GROUPS, disabled=age is None)
    st.markdown(_("**Operations**"))
    widgets.bound(st.radio, store, "safety.hip_surgery", "none", prefix=PREFIX,
                  label=_("Have you had hip surgery (a replacement or another operation)?"),
                  options=list(HIP_SURGERY_LABELS),
                  format_func=HIP_SURGERY_LABELS.__getitem__, disabled=age is None)
    stopped, errors = check_answers(banner)
    mine = {p: m for p, m in errors.items() if step_of_field(p) == step}
    nav(can_go_on=age is not None and not stopped, stopped=stopped, to_fix=mine)


def health_step() -> None:
    banner = st.container(key=widgets.STOP_BANNER_KEY)
    st.write(_("A few more health questions. Tick any that are true."))
    safety_questions(HEALTH_GROUPS)
    stopped, _errors = check_answers(banner)
    nav(can_go_on=not stopped, stopped=stopped)


def about_step() -> None:
    widgets.bound(st.radio, store, "sex", None, prefix=PREFIX,
                  label=_("Sex (optional: you can leave it empty)"),
                  options=[k for k in SEX_LABELS if k is not None],
                  format_func=SEX_LABELS.__getitem__, index=None)
    st.markdown(_("**What do you do regularly?** Tick any that fit."))
    tick_list("act", ACTIVITY_LABELS)
    nav()


def symptoms_step() -> None:
    banner = st.container(key=widgets.STOP_BANNER_KEY)
    widgets.bound(st.slider, store, "symptoms.pain_now", 0, prefix=PREFIX,
                  label=_("Pain now, from 0 (none) to 10 (worst imaginable)"), min_value=0,
                  max_value=10)
    widgets.bound(st.slider, store, "symptoms.pain_worst_week", 0, prefix=PREFIX,
                  label=_("Worst pain in the last week, from 0 to 10"), min_value=0,
                  max_value=10)
    slots = {"symptoms.pain_worst_week": st.container(), "symptoms.pain_now": st.container()}
    widgets.bound(st.number_input, store, "symptoms.weeks", 0, prefix=PREFIX,
                  label=_("How many weeks has this episode lasted?"), min_value=0, max_value=520,
                  step=1)
    slots["symptoms.weeks"] = st.container()
    widgets.bound(st.checkbox, store, "symptoms.keeps_coming_back", False, prefix=PREFIX,
                  label=_("The pain keeps coming back"))
    widgets.bound(st.number_input, store, "symptoms.first_episode_age", None, prefix=PREFIX,
                  label=_("How old were you when back pain first started? (optional)"),
                  min_value=0, max_value=110, step=1, placeholder=_("Leave empty if not sure"),
                  help=_("Your age the very first time you had back pain. Leave it empty if you "
                         "do not remember."))
    slots["symptoms.first_episode_age"] = st.container()

    st.subheader(_("Where does it hurt?"))
    st.write(_("Tick every place that hurts. The picture marks what you tick."))
    picture, boxes = st.columns([1, 1])
    with boxes:
        picked = tick_list("loc", LOCATION_LABELS)
    with picture:
        st.image(body_map_svg(picked), alt=body_map_alt(picked), caption=_(
            "Body map: {places}", places=", ".join(LOCATION_LABELS[p] for p in picked)
            or _("nothing ticked yet")))

    widgets.bound(st.checkbox, store, "symptoms.pins_and_needles_below_knee", False,
                  prefix=PREFIX, label=_("Pins and needles or numbness below the knee"))
    st.markdown(_("**What makes it worse?** Tick any that fit."))
    tick_list("worse", AGGRAVATOR_LABELS)
    widgets.bound(st.checkbox, store, "symptoms.stretching_only_temporary_relief", False,
                  prefix=PREFIX,
                  label=_("Stretching helps only for a while, and the tightness comes back"))
    widgets.bound(st.radio, store, "symptoms.recurring_hamstring_strain", "none", prefix=PREFIX,
                  label=_("Do hamstring strains (back of the thigh) keep coming back?"),
                  options=list(HAMSTRING_LABELS), format_func=HAMSTRING_LABELS.__getitem__,
                  horizontal=True)
    stopped, errors = check_answers(banner)
    for path, slot in slots.items():
        with slot:
            widgets.field_error(errors, path)
    mine = {p: m for p, m in errors.items() if step_of_field(p) == step}
    nav(can_go_on=not stopped, stopped=stopped, to_fix=mine)


def test_step(test: SelfTest) -> None:
    st.write(_("Do this test if you can do it safely; if you cannot, or it hurts too much, skip "
               "it. A skipped test is reported as 'not tested', never as 'no problem'."))
    with st.container(border=True, key=f"self_test_{test.key}"):
        st.markdown(_("**How to do it**"))
        for how_to, picture, alt in test.parts():
            widgets.picture(picture, alt)
            st.markdown(how_to)
        st.markdown(_("**What to look for:** {look_for}", look_for=_(test.look_for)))
    for name in test.fields:
        if name == "hinge_faults":
            tested = widgets.bound(st.radio, store, HINGE_TESTED, False, prefix=PREFIX,
                                   label=_("Did you do the hinge test?"), options=[False, True],
                                   format_func=lambda v: _("Yes, I did it") if v
                                   else _("Not tested - I skipped this"), horizontal=True)
            if tested:
                st.write(_("Tick what happened. Tick nothing if the hinge felt right: the stick "
                           "stayed in place and you felt the back of your thighs."))
                tick_list("hinge", HINGE_FAULT_LABELS)
            continue
        question, _none_words = MOVEMENT_QUESTIONS[name]
        widgets.bound(st.radio, store, f"movement.{name}", NOT_TESTED, prefix=PREFIX,
                      label=_(question), options=movement_options(name),
                      format_func=lambda option, name=name: movement_option_words(name, option))
    back, _gap, skip, forward = st.columns([1, 2, 1, 1])
    back.button(_("Back"), key="back", on_click=go, args=(step - 1,), width="stretch")
    skip.button(_("Skip this test"), key="skip", on_click=skip_test, args=(test.fields,),
                width="stretch")
    forward.button(_("Next"), key="next", type="primary", on_click=go, args=(step + 1,),
                   width="stretch")


def answer_rows(values: dict) -> tuple[list[str], list[str]]:
    """What the person told us, one line each, in their words, and the self-tests skipped."""
    rows = [answer_text("age", values.get("age"))]
    if values.get("sex"):
        rows.append(answer_text("sex", values["sex"]))
    rows.append(answer_text("activities", list(values.get("activities") or [])))
    ticked = [answer_text(f"safety.{name}", values.get(f"safety.{name}"))
              for name in Safety.model_fields
              if values.get(f"safety.{name}") not in (False, None, "none")]
    rows += ticked or [_("Safety questions: none ticked")]
    defaults = {"pain_now": 0, "pain_worst_week": 0, "weeks": 0, "keeps_coming_back": False,
                "locations": [], "pins_and_needles_below_knee": False, "worse_with": [],
                "stretching_only_temporary_relief": False, "recurring_hamstring_strain": "none"}
    rows += [answer_text(f"symptoms.{name}", values.get(f"symptoms.{name}", default))
             for name, default in defaults.items()]
    if values.get("symptoms.first_episode_age") is not None:
        rows.append(_("Back pain first started at the age of {age}",
                      age=values["symptoms.first_episode_age"]))
    untested = []
    for test in SELF_TESTS:
        for name in test.fields:
            value = values.get(f"movement.{name}", NOT_TESTED)
            if value in (NOT_TESTED, None):
                untested.append(catalogue().movement_tests[name].label)
            elif name == "hinge_faults":
                rows.append(answer_text("movement.hinge_faults", list(value)))
            else:
                rows.append(f"{_(MOVEMENT_REVIEW_LABELS[name])}: "
                            f"{movement_option_words(name, value)}")
    return rows, untested


def review_step() -> None:
    banner = st.container(key=widgets.STOP_BANNER_KEY)
    stopped, errors = check_answers(banner)
    values = intake_values()
    intake, build_errors = build_intake(values)
    errors = errors or build_errors
    if stopped:
        nav(can_go_on=False, stopped=stopped)
        return
    if errors:
        st.error(_("**Some answers need fixing before you can see your result.** Each button "
                   "takes you to the question."), icon=":material/edit:")
        for index, (path, message) in enumerate(errors.items()):
            st.markdown(f"- **{field_label(path)}:** {message}")
            to = step_of_field(path)
            st.button(_("Change it on step {number}: {title}", number=to + 1,
                        title=STEPS[to][1]), key=f"fix_{index}",
                      on_click=go, args=(to,))
    else:
        st.write(_("Here is what you told us. Go back to change anything, or see your result."))
    rows, untested = answer_rows(values)
    st.markdown("\n".join(f"- {row}" for row in rows))
    if untested:
        st.markdown(_("**Not tested** (skipped):") + "\n"
                    + "\n".join(f"- {label}" for label in untested))
    back, _gap, forward = st.columns([1, 2, 2])
    back.button(_("Back"), key="back", on_click=go, args=(step - 1,), width="stretch")
    if intake is None:
        return
    forward.button(_("See my result"), key="submit", type="primary", width="stretch",
                   on_click=see_result, args=(intake,))


@language.in_session_language
def see_result(intake) -> None:
    """"See my result": screen the answers, and open the result page on the next run before
    anything of this page is drawn again (the result is on the screen sooner)."""
    st.session_state[widgets.RESULT_KEY] = screen(intake)
    st.session_state[widgets.RESULT_FROM_KEY] = "self"
    widgets.new_result()
    st.session_state[TO_RESULT] = True


widgets.page_header(_("Self-screening"), _("Answer one step at a time. It takes about 10 "
                                            "minutes, including a few simple movement tests."))
key, title = STEPS[step]
st.progress((step + 1) / len(STEPS), text=_("Step {number} of {count}: {title}",
                                            number=step + 1, count=len(STEPS), title=title))
st.header(title)
widgets.focus_heading(title, f"{step}", top=step == 0)
if key == "safety":
    safety_step()
elif key == "health":
    health_step()
elif key == "about":
    about_step()
elif key == "symptoms":
    symptoms_step()
elif key.startswith("test:"):
    test_step(next(t for t in SELF_TESTS if f"test:{t.key}" == key))
else:
    review_step()
st.divider()
st.button(_("Start again"), key="restart", on_click=restart,
          help=_("Clear every answer on this page"))
