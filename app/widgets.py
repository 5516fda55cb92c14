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

from hipscreen.app import access, language
from hipscreen.app.keys import RESULT_KEY  # noqa: E402,F401 - the pages read widgets.RESULT_KEY
from hipscreen.app.pictures import picture_svg
from hipscreen.app.questions import side_name
from hipscreen.app.reasoning import one_bracket
from hipscreen.i18n import N_, _, current_language, decimal, ngettext
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.result import DISCLAIMER, Answer, DeficitResult, PlanItem, Result, Triage
from hipscreen.words import (
    CONFIDENCE_WORDS,
    LEVEL_WORDS,
    NO_DRILLS_AT_THIS_LEVEL,
    SIDE_WORDS,
    answer_line_words,
    certainty_scale,
    drill_purpose_words,
    field_label,
    flag_answer_words,
    no_plan_words,
    person_sentence,
    tell_the_service,
    variant_words,
)

"""st.session_state key of the latest Result of this browser session (never a shared cache)."""

RESULT_FROM_KEY = "result_from"

RESULT_NONCE_KEY = "result_nonce"
"""st.session_state: a number that changes with each new screening (not with a plan update), so
the result page opens at its top, with the focus on its heading, once per screening."""

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


_KEYBOARD_LISTS = """
if (!window.hipscreenLists) {
  window.hipscreenLists = true;
  // A drop-down list (a select or multiselect) with the keyboard: Enter opens a closed list, and
  // Space opens it, or picks the marked choice, while nothing is typed (it types no space).
  const press = (input, key) => input.dispatchEvent(new KeyboardEvent('keydown', {
    key, code: key, keyCode: key === 'Enter' ? 13 : 40, which: key === 'Enter' ? 13 : 40,
    bubbles: true, cancelable: true}));
  document.addEventListener('keydown', (event) => {
    const input = event.target;
    if (!event.isTrusted || !(input instanceof HTMLInputElement)) return;
    if (input.getAttribute('role') !== 'combobox') return;
    if (!input.closest('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]')) return;
    const open = input.getAttribute('aria-expanded') === 'true';
    if (event.key === 'Enter' && !open) {
      event.preventDefault(); event.stopPropagation(); press(input, 'ArrowDown');
    } else if (event.key === ' ' && input.value === '') {
      event.preventDefault(); event.stopPropagation(); press(input, open ? 'Enter' : 'ArrowDown');
    }
  }, true);
}
"""


_NAMED_TOASTS = """
if (!window.hipscreenToasts) {
  window.hipscreenToasts = true;
  // Streamlit's toast is an alert dialog named by an element it does not draw: name it by its
  // own words, so a screen reader can say what it is
  new MutationObserver(() => {
    for (const toast of document.querySelectorAll('[data-testid="stToast"]:not([aria-label])')) {
      toast.setAttribute('aria-label', toast.textContent.trim() || 'Notice');
      toast.removeAttribute('aria-labelledby');
    }
  }).observe(document.body, {childList: true, subtree: true});
}
"""


def focus_heading(text: str, nonce: str, *, tag: str = "h2", top: bool = False) -> None:
    """Put the keyboard focus on the heading `text` (an `tag` element) and scroll the page, once
    for each `nonce` (e.g. a step number): with `top` to the very top of the page (the title,
    the disclaimer and where you are), else so that the heading and the progress bar just above
    it are on the screen. A new step opens at its top, where its title and instructions are,
    and not where the last step's Next button was."""
    run_script(f"""
(() => {{
  const want = {json.dumps(text)}, nonce = {json.dumps(nonce)}, top = {json.dumps(top)};
  let tries = 0;
  const go = () => {{
    const heading = Array.from(document.querySelectorAll('[data-testid="stMain"] {tag}'))
      .find((h) => h.textContent.trim() === want);
    if (!heading) {{ if (tries++ < 80) setTimeout(go, 25); return; }}
    heading.setAttribute('tabindex', '-1');
    heading.dataset.step = nonce;
    const main = document.querySelector('[data-testid="stMain"]');
    if (main && top) {{
      main.scrollTop = 0;
    }} else if (main) {{
      const bar = document.querySelector('[data-testid="stMain"] [data-testid="stProgress"]');
      const mark = bar && bar.getBoundingClientRect().top < heading.getBoundingClientRect().top
        ? bar : heading;
      main.scrollTop += mark.getBoundingClientRect().top - main.getBoundingClientRect().top - 72;
    }}
    window.scrollTo(0, 0);
    heading.focus({{preventScroll: true}});
  }};
  go();
}})();""")


def reveal(key: str, nonce: str, *, alert: bool = False) -> None:
    """Bring the container with `key` into view, below the app's header bar, and give it the
    focus (once for each `nonce`), wherever the person was on the page: a stop, or the triage
    after a form is screened. `alert`: screen readers read it out at once."""
    run_script(f"""
(() => {{
  const nonce = {json.dumps(nonce)}, alert = {json.dumps(alert)};
  let tries = 0;
  const go = () => {{
    const box = document.querySelector('.st-key-{key}');
    if (!box || !box.textContent.trim()) {{ if (tries++ < 80) setTimeout(go, 25); return; }}
    box.setAttribute('tabindex', '-1');
    if (alert) box.setAttribute('role', 'alert');
    box.dataset.shown = nonce;
    box.scrollIntoView({{block: 'start'}});
    const main = document.querySelector('[data-testid="stMain"]');
    if (main) main.scrollTop -= 72;  // below the sticky header bar
    box.focus({{preventScroll: true}});
  }};
  go();
}})();""")


def reveal_stop(nonce: str) -> None:
    """Bring the stop banner into view and give it the focus, wherever the person was on the page
    when they ticked the answer that stops the screen (once for each `nonce`)."""
    reveal(STOP_BANNER_KEY, nonce, alert=True)


QUESTIONS_KEY_PREFIX = "questions_"
"""The key prefix of a container of tick boxes a person answers on a phone (the browser sees
st-key-questions_<name>): each box and its words span the full width of the column."""

APP_STYLE = """<style>
/* every tick box and radio answer is one tap target at least 44 px high (WCAG 2.5.5) */
[data-testid="stCheckbox"] > label, [data-testid="stRadioOption"] {
  min-height: 44px; min-width: 44px; align-items: center; margin-bottom: 0;
}
[data-testid="stRadioOption"] { display: flex; }
[data-testid="stRadioGroup"] { gap: 0 1.25rem; }
[class*="st-key-questions_"] [data-testid="stCheckbox"] > label { width: 100%; }
/* a clear focus mark for the keyboard on tick boxes and radio answers */
[data-testid="stCheckbox"] > label:has(input:focus-visible),
[data-testid="stRadioOption"]:has(input:focus-visible) {
  outline: 3px solid #1a4fd6; outline-offset: 2px; border-radius: 6px;
}
/* small grey words dark enough to read (4.5:1 on white) */
[data-testid="stCaptionContainer"] { opacity: 1; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #595b66; }
/* on a phone a toast sits at the bottom, never over the page's title and top */
@media (max-width: 767px) {
  [data-testid="stToastContainer"] { top: auto !important; bottom: 0.5rem !important; }
}
/* the few lines of script each page runs take no room on the page */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] script),
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > style:only-child) {
  display: none;
}
/* a heading that takes the focus when a step or result opens needs no box around it */
[data-testid="stMain"] h1[tabindex="-1"]:focus, [data-testid="stMain"] h2[tabindex="-1"]:focus {
  outline: none;
}
</style>"""


def questions(name: str):
    """A container for a list of tick boxes, each one easy to tap on a phone (44 pixels high,
    the full width of the column)."""
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
    st.html(APP_STYLE)
    st.title(title)
    st.info(_(DISCLAIMER), icon=":material/info:")
    language.offer()
    if intro:
        st.write(intro)
    # the sign-in cookie rides on the script every page runs anyway: no element of its own
    run_script(access.cookie_script() + _page_language() + _CLOSE_MENU_ON_PHONE + _KEYBOARD_LISTS
               + _NAMED_TOASTS)


def _page_language() -> str:
    """The script line that tells the browser (and a screen reader) the page's language:
    Streamlit writes <html lang="en"> and has no setting for it. Its "Skip to main content"
    link (the first thing a keyboard reaches) is put in the page's language too."""
    skip = json.dumps(_("Skip to main content"))
    return (f"document.documentElement.lang = {json.dumps(current_language())};\n"
            "document.querySelectorAll('[data-testid=\"stSkipToContent\"]').forEach((link) => "
            f"{{ link.textContent = {skip}; }});\n")


def triage_banner(triage: Triage, *, compact: bool = False, clinician: bool = False) -> None:
    """The triage level in words (never only colour) with the action, then the red flags."""
    level = triage.level
    # "triage level" is a clinician's word: the person reads "What to do"
    text = (_("**Triage level: {label}**", label=triage.label) if clinician
            else _("**What to do: {label}**", label=triage.label)) + f"\n\n{triage.action}"
    if not triage.drills_allowed:
        text += f"\n\n**{_(NO_DRILLS_AT_THIS_LEVEL)}**"
    show = {"emergency": st.error, "urgent": st.error, "clinician_review": st.warning,
            "self_care": st.success}[level]
    show(text, icon=_LEVEL_ICONS[level])
    if triage.plan_note:
        st.warning(f"**{triage.plan_note}**", icon=":material/stethoscope:")
    if triage.red_flags and not compact:
        why = (_("{flag} ({level}), from the answer: {answers}") if clinician
               else _("{flag} ({level}), from your answer: {answers}"))
        st.markdown(_("**Why:**") + " " + "; ".join(
            why.format(flag=flag.label, level=LEVEL_WORDS[flag.level].lower(),
                       answers="; ".join(_flag_answers(flag.answers, clinician=clinician)))
            for flag in triage.red_flags))


def _flag_answers(answers: list[Answer], *, clinician: bool) -> list[str]:
    """The answers behind a red flag in words; the questions not asked are named for a
    clinician, and only counted for the person (a screening that stopped early never asked
    them: a list of them would hide what matters)."""
    if clinician:
        return flag_answer_words(answers)
    words = [answer_line_words(a) for a in answers if not a.not_asked]
    unasked = [a for a in answers if a.not_asked]
    if unasked:
        words.append(ngettext("{n} health question was not asked yet",
                              "{n} health questions were not asked yet", len(unasked)))
    return words


def new_result() -> None:
    """A new screening was just made: the result page opens at its heading (RESULT_NONCE_KEY)."""
    st.session_state[RESULT_NONCE_KEY] = st.session_state.get(RESULT_NONCE_KEY, 0) + 1


def what_to_tell(result: Result, *, heading=st.subheader) -> None:
    """At emergency or urgent: what to say when you call or arrive (under `heading`: a header
    where it follows the page title, a subheader inside a step)."""
    heading(_("What to tell them"))
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
    st.caption(_("'We think' means the signs point clearly that way; 'it is possible' means they "
                 "point that way less strongly. This is a screening, not a diagnosis."))


def deficit_row(deficit: DeficitResult, reasons: list[str] | None = None) -> None:
    """A deficit for a clinician: label, side, likely / possible, its certainty factor and the
    evidence behind it (a certainty factor is not a probability: no percentages)."""
    side = SIDE_WORDS[deficit.side].lower()
    words = CONFIDENCE_WORDS[deficit.confidence]
    st.markdown(_("**{words}: {label}** ({side}) - certainty factor {certainty}",
                  context="clinician", words=words, label=deficit.label, side=side,
                  certainty=decimal(deficit.certainty)) + f"  \n{deficit.explanation}")
    if reasons:
        st.markdown("\n".join(f"- {reason}" for reason in reasons))
    st.progress(deficit.certainty, text=_("Certainty factor {certainty}; {scale}",
                                          context="clinician",
                                          certainty=decimal(deficit.certainty),
                                          scale=certainty_scale()))


_SIDE_FIRST = {"both": N_("both sides"), "left": N_("left side first"),
               "right": N_("right side first")}
"""Where a drill starts, as a sentence of its own in each language (a side's word agrees with
the word for side)."""

def _variant_words(item: PlanItem) -> str:
    """' - easier version' after a drill's name, unless its name says so already
    (`hipscreen.words.variant_words`)."""
    words = variant_words(item)
    return f" - {words}" if words else ""


def drill_card(number: int, item: PlanItem, result: Result | None = None, *,
               clinician: bool = False) -> None:
    """One drill of the plan as a card: its picture, side, dose, steps, cues, what to feel and
    not feel, easier and harder versions, and why it is in the plan."""
    drill = catalogue().drills[item.drill]
    with st.container(border=True, key=f"drill_card_{item.drill}"):
        st.subheader(f"{number}. {item.name}{_variant_words(item)}")
        side = _(_SIDE_FIRST.get(item.side, N_("{side} side first")), side=side_name(item.side))
        st.markdown(_("**Side:** {side} &nbsp;·&nbsp; **Dose:** {dose}", side=side,
                      dose=item.dose.text) + f"  \n{item.purpose}")
        picture(drill.picture, drill.picture_alt)
        left, right = st.columns(2)
        with left:
            st.markdown(_("**How to do it**") + "\n" + "\n".join(
                f"{i}. {step}" for i, step in enumerate(item.steps, 1)))
            st.markdown(_("**Cues:**") + " " + "; ".join(item.cues))
        with right:
            st.markdown(_("**You should feel**") + "\n" + "\n".join(f"- {f}" for f in item.feel))
            st.markdown(_("**You should NOT feel** (if you do, stop and use the easier version)")
                        + "\n" + "\n".join(f"- {f}" for f in item.dont_feel))
        st.markdown(_("**Easier:** {easier}  \n**Harder, once it is easy:** {harder}",
                      easier=item.regression, harder=item.progression))
        if clinician or result is None:
            why = [one_bracket(w) for w in item.why]
        else:  # the person's words: what it trains, then the plan's notes (never rule words)
            why = drill_purpose_words(result, item.serves, item.side)
            rule_words = _("Trains {deficit} ({side}, {confidence}), shown by: {findings}.")
            why += [w for w in item.why
                    if not w.startswith(("Trains ", rule_words.partition("{")[0]))]
        if why:
            title = _("Why this drill") if clinician else _("Why this drill for you")
            st.markdown(f"**{title}**\n" + "\n".join(f"- {w}" for w in why))


def plan_section(result: Result, *, clinician: bool = False, anchor: str | None = None,
                 heading=st.header) -> None:
    """The plan: precautions first, then a card per drill, or why there is no plan."""
    heading(_("Plan") if clinician else _("Your plan"), anchor=anchor)
    if not result.triage.drills_allowed:
        st.error(no_plan_words(result), icon=":material/block:")
        return
    if not result.plan:
        st.info(no_plan_words(result))
        return
    for precaution in result.precautions:
        st.warning(f"**{precaution.label}.** {precaution.text}", icon=":material/warning:")
    for number, item in enumerate(result.plan, 1):
        drill_card(number, item, result, clinician=clinician)


def skipped_tests(result: Result, *, clinician: bool = False, anchor: str | None = None) -> None:
    """The self-tests not done, and what each would have checked ("not tested" is not "none")."""
    if not result.skipped_tests:
        return
    st.header(_("Tests not done") if clinician else _("Tests you skipped"), anchor=anchor)
    st.write(_("These were not tested, which is not the same as 'no problem'. Each would have "
               "checked:"))
    st.markdown("\n".join("- " + _("**{label}** - would check {what}", label=s.label,
                                    what=s.would_check)
                          for s in result.skipped_tests))


def safety_net(result: Result) -> None:
    """When to get help: the "see a clinician if..." list, most urgent first."""
    st.markdown("\n".join(f"- {text}" for text in result.safety_net))
