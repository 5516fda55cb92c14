"""The reasoning in the app's words: the conclusions with a HOW tree, WHY NOT, and the reasoning
picture and its summary in a person's or a clinician's words, in the current language."""

from __future__ import annotations

import re

from hipscreen.app.plain import md
from hipscreen.explain import HowNode
from hipscreen.i18n import N_, _, ngettext, translate
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.result import Result
from hipscreen.words import CLINICIAN_LEVEL_WORDS, LEVEL_WORDS

WHY_NOT_STATUS_WORDS = {
    "met": N_("met"),
    "missing": N_("not met"),
    "not_tested": N_("not tested (the test was skipped)"),
    "blocked": N_("blocked by another rule"),
}


def conclusions(result: Result) -> list[tuple[str, str]]:
    """Every conclusion of a result that has a HOW tree: (id, label), triage first."""
    cat = catalogue()
    out = [(result.triage.level, _("Triage: {label}", label=result.triage.label))]
    out += [(flag.id, _("Red flag: {label}", label=flag.label))
            for flag in result.triage.red_flags]
    seen = set()
    for deficit in result.deficits:
        if deficit.id not in seen:
            seen.add(deficit.id)
            out.append((deficit.id, _("Deficit: {label}", label=cat.deficits[deficit.id].label)))
    out += [(item.drill, _("Drill: {label}", label=item.name)) for item in result.plan]
    return out


def why_not_choices() -> list[tuple[str, str]]:
    """Every deficit and drill id a why-not question can ask about, with its label."""
    cat = catalogue()
    return ([(key, _("Deficit: {label}", label=d.label)) for key, d in cat.deficits.items()]
            + [(key, _("Drill: {label}", label=d.name)) for key, d in cat.drills.items()])


def how_markdown(nodes: list[HowNode], depth: int = 0, *, clinician: bool = False) -> str:
    """Justification trees as a nested Markdown list: each fact, the rule that concluded it
    (its text and source), then its premises, down to the intake answers."""
    lines: list[str] = []
    pad = "    " * depth
    for node in nodes:
        lines.append(f"{pad}- **{_md(node.text)}**")
        if node.rule:
            lines.append(f"{pad}    - " + _("because of rule `{rule}`: {text}", rule=node.rule,
                                                 text=_md(node.rule_text or "")))
            if node.source:
                lines.append(f"{pad}    - " + _("source: {source}", source=_md(node.source)))
        else:
            lines.append(f"{pad}    - " + (_("an intake answer") if clinician
                                           else _("your answer")))
        if node.premises:
            lines.append(how_markdown(node.premises, depth + 1, clinician=clinician))
    return "\n".join(lines)


def _either(*texts: str) -> str:
    """A regex that matches any of `texts` (the English and the current language's words)."""
    return "|".join(re.escape(t) for t in dict.fromkeys(texts))


def _certainty_words() -> str:
    return _either("likely", "possible", translate("likely"), translate("possible"))


def _before(template: str) -> str:
    """The words of a message before its first placeholder ("weight {weight}" -> "weight ")."""
    return template.partition("{")[0]


def one_bracket(text: str) -> str:
    """'A pinchy hip on one side (front of the hip) (right)' -> '... (front of the hip, right)':
    a side added to a label that already ends in brackets goes inside them (the side in English
    or in the current language)."""
    sides = _either(*("left", "right", "both"),
                    *(translate(side) for side in ("left", "right", "both")))
    return re.sub(rf"\(([^()]*)\)(\s|\\n)\(({sides})\)", r"(\1, \3)", text)


def _column_titles() -> dict[str, str]:
    """The person's column titles of the picture and a clinician's, in the current language."""
    return {translate("Your answers"): _("Answers"), translate("Your plan"): _("Plan")}


def reasoning_words(text: str, *, clinician: bool) -> str:
    """The reasoning picture's DOT or its summary with one pair of brackets per label, and in a
    clinician's words the column titles say 'Answers' and 'Plan', not 'Your answers' and 'Your
    plan'. It reads the picture's words in the current language."""
    text = one_bracket(text)
    if not clinician:  # the person's picture: "likely" or "possible", no numbers (issue 20)
        text = re.sub(rf"({_certainty_words()}),(?:\\n| )\d+\.\d+", r"\1", text)
        weight = _either(_before("weight {weight}"), _before(translate("weight {weight}")))
        return re.sub(rf' \[label="(?:{weight})[\d.]+"\]', "", text)
    for person, neutral in _column_titles().items():
        text = text.replace(f'label="{person}"', f'label="{neutral}"')
        text = text.replace(f"{person}: ", f"{neutral}: ")
    return text


_NOT_ASKED_IN_SUMMARY = re.compile(r"(?:; )?safety\.not_asked: \w+")


def person_summary(summary: str) -> str:
    """The reasoning picture in words for the person: no certainty numbers ("likely, 0.60" ->
    "likely"), no count of the picture's links, and the level in their words (in the current
    language)."""
    text = re.sub(rf"\b({_certainty_words()}), \d+(\.\d+)?", r"\1", summary)
    unasked = len(_NOT_ASKED_IN_SUMMARY.findall(text))
    answers = f"{translate('Your answers')}: "
    if unasked:  # the ids of the questions never asked: counted, in words
        text = _NOT_ASKED_IN_SUMMARY.sub("", text).replace("; .", ".").replace(": .", ":")
        text = text.replace(answers, answers + ngettext(
            "{n} health question was not asked; ", "{n} health questions were not asked; ",
            unasked), 1)
    links = _either(*{ngettext("{n} link.", "{n} links.", n).removeprefix(str(n))
                      for n in (1, 2)}, " link.", " links.")
    text = re.sub(rf"\s*\d+(?:{links})", "", text)
    text = text.replace(f"{translate('Likely and possible deficits')}:",
                        _("What we think is going on:"))
    text = text.replace(f"{translate('What they show')}:", _("What your answers show:"))
    levels = {CLINICIAN_LEVEL_WORDS[level].lower(): level for level in LEVEL_WORDS}  # the picture's
    triage = _either(_before("Triage: {level}"), _before(translate("Triage: {level}")))
    return re.sub(rf"(?:{triage})([^.]+)\.",
                  lambda m: _("What to do: {level}.", level=LEVEL_WORDS[levels[m[1]]])
                  if m[1] in levels else m[0], text)


def _md(text: str) -> str:
    """A sentence that may quote a person's words (a PSFS activity) as Markdown that renders as
    exactly this text."""
    return md(text)
