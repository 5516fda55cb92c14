"""Widget helpers shared by the pages: the disclaimer, the triage banner, drill cards, pictures,
answers bound to a per-person store in st.session_state, field-level error messages, and the
few lines of browser script that keep a phone usable (a new step opens at its heading, a stop is
scrolled into view, the page menu closes after a choice).

Only drawing lives here; anything that decides or converts is in hipscreen.screening, and the
words are in hipscreen.words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from hipscreen.app import access
from hipscreen.app.presentation import (
    CONFIDENCE_WORDS,
    SIDE_WORDS,
    answer_line_words,
    certainty_scale,
    field_label,
    one_bracket,
    picture_svg,
)
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.result import DISCLAIMER, DeficitResult, PlanItem, Result, Triage
from hipscreen.words import LEVEL_WORDS, drill_purpose_words, person_sentence, tell_the_service

RESULT_KEY = "result"
"""st.session_state key of the latest Result of this browser session (never a shared cache)."""

RESULT_FROM_KEY = "result_from"

STOP_BANNER_KEY = "stop_banner"
"""The key of the container that holds a stop (emergency or urgent) at the top of a step; the
browser sees it as the CSS class st-key-stop_banner."""

_LEVEL_ICONS = {"emergency": ":material/emergency:", "urgent": ":material/warning:",
                "clinician_review": ":material/stethoscope:", "self_care": ":material/check_circle:"}


# -- a few lines of script for the browser ----------------------------------------------------------
def run_script(body: str) -> None:
    """Run `body` (JavaScript written here, never user text) once in the page. The browser runs
    it when the element first appears, and again only when its text changes, so a rerun of the
    same step does not repeat it."""
    st.html(f"<script>{body}</script>", unsafe_allow_javascript=True)


_CLOSE_MENU_ON_PHONE = """
if (!window.hipscreenMenu) {
  window.hipscreenMenu = true;
  document.addEventListener('click', (event) => {
    if (!event.target.closest('[data-testid="stSidebarNav"] a')) return;
    if (!window.matchMedia('(max-width: 767px)').matches) return;
    setTimeout(() => {
      const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (button) button.click();
    }, 50);
  }, true);
}
"""


def focus_heading(text: str, nonce: str) -> None:
    """Scroll the page so the heading `text` is at the top and put the keyboard focus on it, once
    for each `nonce` (e.g. a step number): a new step opens at its top, where its title and
    instructions are, and not where the last step's Next button was."""
    run_script(f"""
(() => {{
  const want = {json.dumps(text)}, nonce = {json.dumps(nonce)};
  let tries = 0;
  const go = () => {{
    const heading = Array.from(document.querySelectorAll('[data-testid="stMain"] h2'))
      .find((h) => h.textContent.trim() === want);
    if (!heading) {{ if (tries++ < 60) setTimeout(go, 50); return; }}
    heading.setAttribute('tabindex', '-1');
    heading.dataset.step = nonce;
    const main = document.querySelector('[data-testid="stMain"]');
    const top = heading.getBoundingClientRect().top - (main ? main.getBoundingClientRect().top : 0);
    if (main) main.scrollTop += top - 72;
    window.scrollTo(0, 0);
    heading.focus({{preventScroll: true}});
  }};
  go();
}})();""")


def reveal_stop(nonce: str) -> None:
    """Bring the stop banner into view and give it the focus, wherever the person was on the page
    when they ticked the answer that stops the screen (once for each `nonce`)."""
    run_script(f"""
(() => {{
  const nonce = {json.dumps(nonce)};
  let tries = 0;
  const go = () => {{
    const box = document.querySelector('.st-key-{STOP_BANNER_KEY}');
    if (!box || !box.textContent.trim()) {{ if (tries++ < 60) setTimeout(go, 50); return; }}
    box.setAttribute('tabindex', '-1');
    box.setAttribute('role', 'alert');
    box.dataset.stop = nonce;
    box.scrollIntoView({{block: 'start'}});
    const main = document.querySelector('[data-testid="stMain"]');
    // below the sticky header, and on a phone below the toast that repeats the stop
    if (main) main.scrollTop -= window.matchMedia('(max-width: 767px)').matches ? 150 : 72;
    box.focus({{preventScroll: true}});
  }};
  go();
}})();""")


QUESTIONS_KEY_PREFIX = "questions_"
"""The key prefix of a container of tick boxes a person answers on a phone (the browser sees
st-key-questions_<name>): each box and its words are one tap target at least 44 pixels high."""

_ROOMY_TICK_BOXES = f"""<style>
[class*="st-key-{QUESTIONS_KEY_PREFIX}"] [data-testid="stCheckbox"] label {{
  min-height: 44px; align-items: center; width: 100%;
}}
</style>"""


def questions(name: str):
    """A container for a list of tick boxes, each one easy to tap on a phone (44 pixels high,
    the full width of the column)."""
    st.html(_ROOMY_TICK_BOXES)
    return st.container(key=f"{QUESTIONS_KEY_PREFIX}{name}")


# -- page parts -----------------------------------------------------------------------------------
_ENTRY_CHECKED = "entry_file_checked"


def _run_from_the_entry_file() -> None:
    """Opened by its URL as the first page of a fresh server, a page would run on its own with
    Streamlit's old 'pages/ folder' navigation (a menu listing "main" and file names, not the
    app's pages). Leave that mode and run again through app/main.py, whose st.navigation keeps
    the page asked for."""
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without it has no such mode
        return
    if getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        if not st.session_state.get(_ENTRY_CHECKED):  # once: a rerun would lose a click
            st.session_state[_ENTRY_CHECKED] = True
            st.rerun()


def page_header(title: str, intro: str | None = None) -> None:
    """The page title, a one-line intro, and the screening-aid disclaimer on every page (and,
    once more, the Host check of app/main.py: a page never draws for another host name)."""
    _run_from_the_entry_file()
    access.check_host()
    st.title(title)
    st.info(DISCLAIMER, icon=":material/info:")
    if intro:
        st.write(intro)
    # the sign-in cookie rides on the script every page runs anyway: no element of its own
    run_script(access.cookie_script() + _CLOSE_MENU_ON_PHONE)


def triage_banner(triage: Triage, *, compact: bool = False, clinician: bool = False) -> None:
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
        whose = "from the answer" if clinician else "from your answer"
        st.markdown("**Why:** " + "; ".join(
            f"{flag.label} ({LEVEL_WORDS[flag.level].lower()}), {whose}: "
            f"{'; '.join(answer_line_words(a) for a in flag.answers)}"
            for flag in triage.red_flags))


def what_to_tell(result: Result) -> None:
    """At emergency or urgent: what to say when you call or arrive."""
    st.subheader("What to tell them")
    st.markdown("\n".join(f"- {line}" for line in tell_the_service(result)))


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


def picture(name: str, alt: str, *, width: int | str = 440) -> None:
    """A picture from the knowledge base (an SVG in knowledge/data), with its alt text; at
    most `width` pixels wide (narrower on a phone)."""
    svg = picture_svg(name)
    if svg:
        st.image(svg, alt=alt, width=width)


# -- the result -------------------------------------------------------------------------------------
def person_findings(result: Result) -> None:
    """What was found, for the person: one plain sentence per deficit with its reasons, in
    'we think' / 'it is possible' words; no ids, numbers or percentages."""
    for deficit in result.deficits:
        st.markdown(f"- {person_sentence(result, deficit)}")
    st.caption("'We think' means the signs point clearly that way; 'it is possible' means they "
               "point that way less strongly. This is a screening, not a diagnosis.")


def deficit_row(deficit: DeficitResult, reasons: list[str] | None = None) -> None:
    """A deficit for a clinician: label, side, likely / possible, its certainty factor and the
    evidence behind it (a certainty factor is not a probability: no percentages)."""
    side = SIDE_WORDS[deficit.side].lower()
    words = CONFIDENCE_WORDS[deficit.confidence]
    st.markdown(f"**{words}: {deficit.label}** ({side}) - certainty factor "
                f"{deficit.certainty:.2f}  \n{deficit.explanation}")
    if reasons:
        st.markdown("\n".join(f"- {reason}" for reason in reasons))
    st.progress(deficit.certainty, text=f"Certainty factor {deficit.certainty:.2f}; "
                                        f"{certainty_scale()}")


def _variant_words(item: PlanItem) -> str:
    return "" if item.variant in ("standard", "support") else f" - {item.variant} version"


def drill_card(number: int, item: PlanItem, result: Result | None = None, *,
               clinician: bool = False) -> None:
    """One drill of the plan as a card: its picture, side, dose, steps, cues, what to feel and
    not feel, easier and harder versions, and why it is in the plan."""
    drill = catalogue().drills[item.drill]
    with st.container(border=True, key=f"drill_card_{item.drill}"):
        st.subheader(f"{number}. {item.name}{_variant_words(item)}")
        side = "both sides" if item.side == "both" else f"{item.side} side first"
        st.markdown(f"**Side:** {side} &nbsp;·&nbsp; **Dose:** {item.dose.text}  \n{item.purpose}")
        picture(drill.picture, drill.picture_alt)
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
        if clinician or result is None:
            why = [one_bracket(w) for w in item.why]
        else:  # the person's words: what it trains, then the plan's notes (never rule words)
            why = drill_purpose_words(result, item.serves, item.side)
            why += [w for w in item.why if not w.startswith("Trains ")]
        if why:
            title = "Why this drill" if clinician else "Why this drill for you"
            st.markdown(f"**{title}**\n" + "\n".join(f"- {w}" for w in why))


def plan_section(result: Result, *, clinician: bool = False) -> None:
    """The plan: precautions first, then a card per drill, or why there is no plan."""
    st.header("Plan" if clinician else "Your plan")
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
        drill_card(number, item, result, clinician=clinician)


def skipped_and_safety_net(result: Result, *, clinician: bool = False) -> None:
    if result.skipped_tests:
        st.header("Tests not done" if clinician else "Tests you skipped")
        st.write("These were not tested, which is not the same as 'no problem'. Each would have "
                 "checked:")
        st.markdown("\n".join(f"- **{s.label}** - would check {s.would_check}"
                              for s in result.skipped_tests))
    st.header("See a clinician if...")
    st.markdown("\n".join(f"- {text}" for text in result.safety_net))
