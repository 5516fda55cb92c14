"""Render a Result as readable text or as a Markdown note a clinician can paste."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from hipscreen.explain import HowNode, WhyNot
from hipscreen.i18n import _, ngettext, translate
from hipscreen.result import PlanItem, RedFlagHit, Result
from hipscreen.words import LEVEL_WORDS, no_plan_words, variant_words

if TYPE_CHECKING:
    from hipscreen.review import Review


def flag_answers(flag: RedFlagHit) -> str:
    """The answers behind a red flag, in one phrase; the questions never asked are named once
    as such (never as one not-asked answer each)."""
    given = [a.line() for a in flag.answers if not a.not_asked]
    unasked = [a.name for a in flag.answers if a.not_asked]
    if unasked:
        given.append(not_asked_phrase(unasked))
    return ", ".join(given)


def not_asked_phrase(names: list[str] | tuple[str, ...]) -> str:
    """'safety questions not asked: a, b' or, when none was asked, 'no safety question asked'."""
    from hipscreen.knowledge.intake import Safety

    if set(names) >= set(Safety.model_fields):
        return _("no safety question asked")
    return _("safety questions not asked: {names}", names=", ".join(names))


def safety_not_asked_line(result: Result) -> str | None:
    """A plain sentence when safety questions were never asked (Not asked is not 'no')."""
    unasked = result.intake.safety_not_asked
    if not unasked:
        return None
    from hipscreen.knowledge.intake import Safety

    if len(unasked) == len(Safety.model_fields):
        return _("The safety questions were not asked (not asked is not a 'no'): there is no "
                 "self-care plan until they are answered.")
    return ngettext("{n} safety question was not asked ({names}): not asked is not 'no', and "
                    "there is no self-care plan until it is answered.",
                    "{n} safety questions were not asked ({names}): not asked is not 'no', and "
                    "there is no self-care plan until they are answered.",
                    len(unasked), names=", ".join(unasked))


def red_flags_despite_errors(result: Result | None) -> list[str]:
    """The lines that name the triage of a bad intake's salvaged answers, to print before its
    errors (docs/design.md, "A red flag always wins"): the level and action first, one line per red
    flag, and what could not be checked. Empty when the salvage raised no red flag."""
    if result is None or not result.triage.red_flags:
        return []
    t = result.triage
    lines = [_("{level} despite the errors below: {action}", level=LEVEL_WORDS[t.level].upper(),
               action=t.action)]
    lines += ["  " + _("red flag: {label} [{level}] - from {answers}", label=f.label,
                       level=f.level, answers=flag_answers(f))
              for f in t.red_flags]
    if result.intake.age is None:
        lines.append("  " + _("(the age could not be read: red flags that depend on the age, "
                              "such as a child's hip pain or a broken hip at 65 or over, were "
                              "not checked)"))
    lines.append(_("The intake has errors, so it was not screened in full:"))
    return lines


def _plan_lines(item: PlanItem, bullet: str) -> list[str]:
    head = f"{item.name} - {translate(item.side)}"
    if item.replaces and (variant := variant_words(item)):
        head += " " + _("({variant}, instead of {drill})", variant=variant, drill=item.replaces)
    elif item.replaces:
        head += " " + _("(instead of {drill})", drill=item.replaces)
    lines = [head, bullet + _("Dose: {dose}", dose=item.dose.text),
             bullet + _("Purpose: {purpose}", purpose=item.purpose)]
    lines += [bullet + _("Step {i}: {step}", i=i, step=s) for i, s in enumerate(item.steps, 1)]
    lines.append(bullet + _("Cues: {cues}", cues="; ".join(item.cues)))
    lines.append(bullet + _("You should feel: {feel}", feel="; ".join(item.feel)))
    lines.append(bullet + _("You should NOT feel: {dont_feel}", dont_feel="; ".join(item.dont_feel)))
    lines.append(bullet + _("Easier: {easier}", easier=item.regression))
    lines.append(bullet + _("Harder: {harder}", harder=item.progression))
    lines += [bullet + _("Why for you: {why}", why=w) for w in item.why]
    return lines


def _sections(result: Result, md: bool) -> list[str]:
    h = (lambda t: f"## {t}") if md else (lambda t: f"{t}\n{'-' * len(t)}")
    b = "- " if md else "  * "
    t = result.triage
    out = [(_("# hipscreen report") if md else _("HIPSCREEN RESULT")), "",
           f"{'**' if md else ''}{translate(result.disclaimer)}{'**' if md else ''}", "",
           h(_("Triage")), b + _("Level: {label} ({level})", label=t.label, level=t.level),
           b + _("Action: {action}", action=t.action)]
    if t.plan_note:
        out.append(f"{b}{t.plan_note}")
    if unasked := safety_not_asked_line(result):
        out.append(f"{b}{unasked}")
    for f in t.red_flags:
        out.append(b + _("Red flag: {label} [{level}] - from {answers} (source: {source})",
                         label=f.label, level=f.level, answers=flag_answers(f), source=f.source))
    out += ["", h(_("Likely and possible deficits"))]
    out += [b + _("{label} ({id}) - {side}, {confidence} (certainty {certainty})", label=d.label,
                  id=d.id, side=translate(d.side), confidence=translate(d.confidence),
                  certainty=format(d.certainty, ".2f"))
            for d in result.deficits] or [b + _("None concluded.")]
    out += ["", h(_("Plan"))]
    if not result.plan:
        out.append(b + no_plan_words(result))
    for i, item in enumerate(result.plan, 1):
        lines = _plan_lines(item, "   - " if md else "      ")
        out.append(f"{i}. {lines[0]}")
        out += lines[1:]
    if result.precautions:
        out += ["", h(_("Precautions applied"))]
        out += [f"{b}{p.label}: {p.text}"
                + (" " + _("(drills: {drills})", drills=", ".join(p.drills)) if p.drills else "")
                for p in result.precautions]
    if result.skipped_tests:
        out += ["", h(_("Tests not done"))]
        out += [b + _("{test} - would check {what}", test=s.label, what=s.would_check)
                for s in result.skipped_tests]
    out += ["", h(_("See a clinician if"))]
    out += [f"{b}{s}" for s in result.safety_net]
    out += ["", h(_("Rules that fired")),
            f"{b}" + ", ".join(dict.fromkeys(result.rules_fired))]
    return out


def to_text(result: Result) -> str:
    return "\n".join(_sections(result, md=False))


def to_markdown(result: Result) -> str:
    return "\n".join(_sections(result, md=True))


def how_text(nodes: list[HowNode]) -> str:
    lines: list[str] = []

    def walk(node: HowNode, depth: int) -> None:
        by = f"  <- {node.rule}" if node.rule else "  " + _("(intake answer)")
        lines.append("  " * depth + node.text + by)
        for p in node.premises:
            walk(p, depth + 1)

    for n in nodes:
        walk(n, 0)
    return "\n".join(lines)


def why_not_text(answer: WhyNot) -> str:
    lines = [answer.summary]
    for rule in answer.rules:
        fired = _("fired") if rule.fired else _("did not fire")
        lines.append(f"- {rule.rule} ({fired}): {rule.rule_text}")
        lines += [f"    [{c.status}] {c.text}" for c in rule.conditions]
    return "\n".join(lines)


# -- the clinician's note -------------------------------------------------------------------------
def clinician_note(result: Result, *, today: dt.date | None = None) -> str:
    """A plain-text note ready to paste into a clinical record, in a clinician's words: date,
    patient, complaints with sides, measurements, every red-flag answer, triage, deficits with
    their certainty and reasons, the plan, precautions and the tests not done. Every answered
    intake field is in it."""
    from hipscreen.fingerprint import hipscreen_version, knowledge_fingerprint
    from hipscreen.knowledge.catalogue import catalogue
    from hipscreen.knowledge.intake import Movement
    from hipscreen.words import (
        CLINICIAN_LEVEL_WORDS,
        NO_DRILLS_AT_THIS_LEVEL,
        SEX_LABELS,
        SIDE_ABBREVIATIONS,
        clinician_value_words,
        field_label,
    )

    today = today or dt.date.today()
    drills = catalogue().drills
    intake, t, s = result.intake, result.triage, result.intake.symptoms
    who = (_("clinician") if intake.mode == "clinician"
           else _("self-report (the person's own answers)"))
    lines = [_("hipscreen screening note - {date}", date=today.isoformat()),
             _("Screening aid, not a diagnosis; to be confirmed by the treating clinician."), ""]
    patient = (_("{age} y", age=intake.age) if intake.age is not None else _("age not given"))
    if intake.sex:
        patient += f", {SEX_LABELS[intake.sex].lower()}"
    lines.append(_("Patient: {patient}. Source: {who}.", patient=patient, who=who))
    lines.append(_("Activities: {activities}",
                   activities=clinician_value_words("activities", list(intake.activities))))

    complaints = [_("pain now {now}/10, worst in the last week {worst}/10", now=s.pain_now,
                    worst=s.pain_worst_week)]
    if s.weeks:
        complaints.append(_("this episode {weeks} weeks", weeks=s.weeks))
    complaints.append(_("recurrent") if s.keeps_coming_back else _("not reported as recurrent"))
    complaints.append(_("site: {sites}", sites=clinician_value_words("symptoms.locations",
                                                                     list(s.locations))))
    complaints.append(_("aggravated by: {what}", what=clinician_value_words(
        "symptoms.worse_with", list(s.worse_with))))
    complaints.append(_("stretching gives only temporary relief")
                      if s.stretching_only_temporary_relief
                      else _("no report of short-lived relief from stretching"))
    complaints.append(_("paraesthesia or numbness below the knee") if s.pins_and_needles_below_knee
                      else _("no paraesthesia below the knee"))
    hamstring = s.recurring_hamstring_strain
    complaints.append(_("recurrent hamstring strain {side}", side=SIDE_ABBREVIATIONS[hamstring])
                      if hamstring != "none" else _("recurrent hamstring strain: none"))
    lines.append(_("Complaint: {complaints}.", complaints="; ".join(complaints)))

    tested = []
    for name in Movement.model_fields:
        value = getattr(intake.movement, name)
        if value is not None:
            tested.append(f"{field_label(f'movement.{name}', clinician=True)}: "
                          f"{clinician_value_words(f'movement.{name}', value)}")
    lines.append(_("Objective: {tests}.",
                   tests="; ".join(tested) if tested else _("no movement test done")))

    def label(name: str) -> str:
        return field_label(f"safety.{name}", clinician=True)

    positive = [label(n) for n, v in intake.safety if v is True]
    negative = [label(n).lower() for n, v in intake.safety if v is False]
    unasked = [label(n).lower() for n in intake.safety_not_asked if n != "hip_surgery"]
    surgery = intake.safety.hip_surgery
    if not positive and not negative and surgery is None:  # not asked is never a negative screen
        lines.append(_("Red flags: NOT ASKED (no safety question was asked; this is not a "
                       "negative screen)."))
    else:
        lines.append(_("Red flags positive: {flags}.",
                       flags="; ".join(positive) if positive else _("none", context="feminine")))
        lines.append(_("Red flags negative: {flags}.",
                       flags="; ".join(negative) if negative else _("none", context="feminine")))
        if unasked:
            lines.append(_("Red flags NOT ASKED (not negative): {flags}.",
                           flags="; ".join(unasked)))
    surgery_words = {None: _("not asked"), "none": _("none", context="feminine"),
                     "under_12_weeks": _("less than 12 weeks ago"),
                     "over_12_weeks": _("12 weeks ago or more")}
    lines.append(_("Hip surgery: {surgery}.", surgery=surgery_words.get(surgery, surgery)))
    if intake.drill_response.low_back_pinch or intake.drill_response.hamstring_cramp:
        names = {d: drills[d].name.lower() for d in (*intake.drill_response.low_back_pinch,
                                                     *intake.drill_response.hamstring_cramp)}
        lines.append(_("Drill response: low back pinch during {pinch}; hamstring cramp during "
                       "{cramp}.",
                       pinch=", ".join(names[d] for d in intake.drill_response.low_back_pinch)
                       or _("none"),
                       cramp=", ".join(names[d] for d in intake.drill_response.hamstring_cramp)
                       or _("none")))

    lines += ["", _("Triage: {level} - {action}", level=CLINICIAN_LEVEL_WORDS[t.level].upper(),
                    action=t.action)]
    for flag in t.red_flags:
        lines.append(f"  - {flag.label} ({CLINICIAN_LEVEL_WORDS[flag.level].lower()})")
    if t.plan_note:
        lines.append(f"  {t.plan_note}")

    reasons = clinician_reasons(result)
    lines.append(_("Deficits (certainty factors, not probabilities):")
                 if result.deficits else _("Deficits: none concluded."))
    for d in result.deficits:
        side = "" if d.side == "both" else f" {SIDE_ABBREVIATIONS[d.side]}"
        lines.append("  - " + _("{deficit}: {confidence} (CF {certainty})",
                                deficit=d.label + side, confidence=translate(d.confidence),
                                certainty=format(d.certainty, ".2f")))
        found = reasons.get((d.id, d.side))
        if found:
            lines.append("      " + _("evidence: {evidence}", evidence="; ".join(found)))

    if result.plan:
        lines.append(_("Plan:"))
        for i, item in enumerate(result.plan, 1):
            side = (_("both sides") if item.side == "both"
                    else _("{side} first", side=SIDE_ABBREVIATIONS[item.side]))
            instead = (" " + _("(instead of the {drill})",
                               drill=drills[item.replaces].name.lower())
                       if item.replaces else "")
            lines.append(f"  {i}. {item.name}{instead}, {side}: {item.dose.text}")
    elif not t.drills_allowed:
        lines.append(_("Plan: {none}", none=translate(NO_DRILLS_AT_THIS_LEVEL)))
    else:
        lines.append(_("Plan: no drills."))
    for p in result.precautions:
        lines.append(_("Precaution: {label}.", label=p.label))
    if result.skipped_tests and t.drills_allowed:
        lines.append(_("Not tested: {tests}.", tests="; ".join(
            field_label(x.field, clinician=True) if x.field.startswith("movement.") else x.label
            for x in result.skipped_tests)))
    lines += ["", _("hipscreen {version}, knowledge base {fingerprint}",
                    version=hipscreen_version(), fingerprint=knowledge_fingerprint())]
    return "\n".join(lines)


def clinician_reasons(result: Result) -> dict[tuple[str, str], list[str]]:
    """For each (deficit, side): its evidence in a clinician's words, one line per evidence rule:
    its findings with their sides and its weight ("Hip shift R (w 0.5)")."""
    from hipscreen.knowledge.catalogue import catalogue
    from hipscreen.words import SIDE_ABBREVIATIONS

    findings = catalogue().findings
    out: dict[tuple[str, str], list[str]] = {}
    for deficit in result.deficits:
        lines = out.setdefault((deficit.id, deficit.side), [])
        for evidence in deficit.support:
            named = [findings[f.id].label + ("" if f.side == "both"
                                             else f" {SIDE_ABBREVIATIONS[f.side]}")
                     for f in evidence.findings]
            line = f"{' + '.join(named)} (w {evidence.weight:g})"
            if line not in lines:
                lines.append(line)
    return out


def checkin_markdown(rev: Review) -> str:
    """A check-in's review as a Markdown note, with the person's own words (the PSFS activity
    names) escaped as text (`hipscreen.plaintext.markdown_text`): `![t](http://...)` is shown as
    those characters, never an image fetched, a link or any other markup."""
    from hipscreen.plaintext import markdown_text
    from hipscreen.review import is_worse_note, review_text

    changes = [c.model_copy(update={"activity": markdown_text(c.activity)}) if c.activity else c
               for c in rev.changes]
    notes = [markdown_text(n) if is_worse_note(n) else n for n in rev.notes]
    return review_text(rev.model_copy(update={"changes": changes, "notes": notes}), markdown=True)


def checkin_text(rev: Review, *, markdown: bool = False) -> str:
    """A check-in's review for people (text) or as a Markdown note (`checkin_markdown`)."""
    from hipscreen.review import review_text

    return checkin_markdown(rev) if markdown else review_text(rev)
