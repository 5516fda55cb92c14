"""Widget helpers shared by the pages: the disclaimer, the triage banner, drill cards, answers
bound to a per-person store in st.session_state, and field-level error messages.

Only drawing lives here; anything that decides or converts is in hipscreen.screening.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from hipscreen.app.presentation import (
    CONFIDENCE_WORDS,
    SIDE_WORDS,
    answer_line_words,
    certainty_scale,
    field_label,
)
from hipscreen.result import DISCLAIMER, DeficitResult, PlanItem, Result, Triage

RESULT_KEY = "result"
"""st.session_state key of the latest Result of this browser session (never a shared cache)."""

RESULT_FROM_KEY = "result_from"

LEVEL_WORDS = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "clinician_review": "See a clinician",
    "self_care": "Self-care",
}
_LEVEL_ICONS = {"emergency": ":material/emergency:", "urgent": ":material/warning:",
                "clinician_review": ":material/stethoscope:", "self_care": ":material/check_circle:"}


def page_header(title: str, intro: str | None = None) -> None:
    """The page title, a one-line intro, and the screening-aid disclaimer on every page."""
    st.title(title)
    st.info(DISCLAIMER, icon=":material/info:")
    if intro:
        st.write(intro)


def triage_banner(triage: Triage, *, compact: bool = False) -> None:
    """The triage level in words (never only colour) with the action, then the red flags."""
    level = triage.level
    text = f"**Triage level: {triage.label}**\n\n{triage.action}"
    if not triage.drills_allowed:
        text += "\n\n**No exercises are given at this level.**"
    show = {"emergency": st.error, "urgent": st.error, "clinician_review": st.warning,
            "self_care": st.success}[level]
    show(text, icon=_LEVEL_ICONS[level])
    if triage.plan_note:
        st.warning(f"**{triage.plan_note}**", icon=":material/stethoscope:")
    if triage.red_flags and not compact:
        st.markdown("**Why:** " + "; ".join(
            f"{flag.label} ({LEVEL_WORDS[flag.level].lower()}), from your answer: "
            f"{'; '.join(answer_line_words(a) for a in flag.answers)}"
            for flag in triage.red_flags))


def field_error(errors: Mapping[str, str], path: str) -> None:
    """A clear message next to the field it belongs to, if that field has one."""
    if path in errors:
        st.error(f"{field_label(path)}: {errors[path]}", icon=":material/edit:")


def bound(widget: Callable[..., Any], store: dict[str, Any], path: str, default: Any, *,
          prefix: str, label: str, **kwargs: Any) -> Any:
    """Draw `widget` for one answer kept in `store` (a per-session dict in st.session_state),
    so it survives moving between steps; returns and stores the widget's value."""
    key = f"{prefix}{path}"
    if key not in st.session_state:
        st.session_state[key] = store.get(path, default)
    value = widget(label, key=key, **kwargs)
    store[path] = value
    return value


def deficit_row(deficit: DeficitResult) -> None:
    side = SIDE_WORDS[deficit.side].lower()
    words = CONFIDENCE_WORDS[deficit.confidence]
    st.markdown(f"**{words}: {deficit.label}** ({side}) - certainty {deficit.certainty:.2f}  \n"
                f"{deficit.explanation}")
    st.progress(deficit.certainty, text=f"{words} ({deficit.certainty:.0%}); {certainty_scale()}")


def drill_card(number: int, item: PlanItem) -> None:
    """One drill of the plan as a card: side, dose, steps, cues, what to feel and not feel,
    easier and harder versions, and why it is in your plan."""
    with st.container(border=True):
        variant = "" if item.variant in ("standard", "support") else f" - {item.variant} version"
        st.subheader(f"{number}. {item.name}{variant}")
        side = "both sides" if item.side == "both" else f"{item.side} side first"
        st.markdown(f"**Side:** {side} &nbsp;·&nbsp; **Dose:** {item.dose.text}  \n{item.purpose}")
        left, right = st.columns(2)
        with left:
            st.markdown("**How to do it**\n" + "\n".join(
                f"{i}. {step}" for i, step in enumerate(item.steps, 1)))
            st.markdown("**Cues:** " + "; ".join(item.cues))
        with right:
            st.markdown("**You should feel**\n" + "\n".join(f"- {f}" for f in item.feel))
            st.markdown("**You should NOT feel** (if you do, stop and use the easier version)\n"
                        + "\n".join(f"- {f}" for f in item.dont_feel))
        st.markdown(f"**Easier:** {item.regression}  \n**Harder, once it is easy:** "
                    f"{item.progression}")
        if item.why:
            st.markdown("**Why this drill for you**\n" + "\n".join(f"- {w}" for w in item.why))


def plan_section(result: Result) -> None:
    """The plan: precautions first, then a card per drill, or why there is no plan."""
    st.header("Your plan")
    if not result.triage.drills_allowed:
        st.error(f"No exercises: {result.triage.action}", icon=":material/block:")
        return
    if not result.plan:
        st.info("No drills: the answers given do not point to a hip stability or hinge problem. "
                "Doing more of the self-tests may change that.")
        return
    for precaution in result.precautions:
        st.warning(f"**{precaution.label}.** {precaution.text}", icon=":material/warning:")
    for number, item in enumerate(result.plan, 1):
        drill_card(number, item)


def skipped_and_safety_net(result: Result) -> None:
    if result.skipped_tests:
        st.header("Tests you skipped")
        st.write("These were not tested, which is not the same as 'no problem'. Each would have "
                 "checked:")
        st.markdown("\n".join(f"- **{s.label}** - would check {s.would_check}"
                              for s in result.skipped_tests))
    st.header("See a clinician if...")
    st.markdown("\n".join(f"- {text}" for text in result.safety_net))
