"""Render a Result as readable text or as a Markdown note a clinician can paste."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from hipscreen.explain import HowNode, WhyNot
from hipscreen.result import PlanItem, RedFlagHit, Result

if TYPE_CHECKING:
    from hipscreen.review import Review

NOT_ASKED_PREFIX = "safety.not_asked = "
LEVEL_SHOUTS = {"emergency": "EMERGENCY", "urgent": "URGENT",
                "clinician_review": "SEE A CLINICIAN", "self_care": "SELF-CARE"}


def flag_answers(flag: RedFlagHit) -> str:
    """The answers behind a red flag, in one phrase; the questions never asked are named once
    as such (never as a 'safety.not_asked = x' answer each)."""
    given = [a for a in flag.answers if not a.startswith(NOT_ASKED_PREFIX)]
    unasked = [a.removeprefix(NOT_ASKED_PREFIX) for a in flag.answers
               if a.startswith(NOT_ASKED_PREFIX)]
    if unasked:
        given.append(not_asked_phrase(unasked))
    return ", ".join(given)


def not_asked_phrase(names: list[str] | tuple[str, ...]) -> str:
    """'safety questions not asked: a, b' or, when none was asked, 'no safety question asked'."""
    from hipscreen.knowledge.intake import Safety

    if set(names) >= set(Safety.model_fields):
        return "no safety question asked"
    return "safety questions not asked: " + ", ".join(names)


def safety_not_asked_line(result: Result) -> str | None:
    """A plain sentence when safety questions were never asked (Not asked is not 'no')."""
    unasked = result.intake.safety_not_asked
    if not unasked:
        return None
    from hipscreen.knowledge.intake import Safety

    if len(unasked) == len(Safety.model_fields):
        return ("The safety questions were not asked (not asked is not a 'no'): there is no "
                "self-care plan until they are answered.")
    return (f"{len(unasked)} safety question(s) were not asked ({', '.join(unasked)}): not asked "
            "is not 'no', and there is no self-care plan until they are answered.")


def red_flags_despite_errors(result: Result | None) -> list[str]:
    """The lines that name the triage of a bad intake's salvaged answers, to print before its
    errors (docs/design.md, "A red flag always wins"): the level and action first, one line per red
    flag, and what could not be checked. Empty when the salvage raised no red flag."""
    if result is None or not result.triage.red_flags:
        return []
    t = result.triage
    lines = [f"{LEVEL_SHOUTS[t.level]} despite the errors below: {t.action}"]
    lines += [f"  red flag: {f.label} [{f.level}] - from {flag_answers(f)}"
              for f in t.red_flags]
    if result.intake.age is None:
        lines.append("  (the age could not be read: red flags that depend on the age, such as "
                     "a child's hip pain or a broken hip at 65 or over, were not checked)")
    lines.append("The intake has errors, so it was not screened in full:")
    return lines


def _plan_lines(item: PlanItem, bullet: str) -> list[str]:
    head = f"{item.name} - {item.side}"
    if item.replaces:
        head += f" ({item.variant}, instead of {item.replaces})"
    lines = [head, f"{bullet}Dose: {item.dose.text}", f"{bullet}Purpose: {item.purpose}"]
    lines += [f"{bullet}Step {i}: {s}" for i, s in enumerate(item.steps, 1)]
    lines.append(f"{bullet}Cues: {'; '.join(item.cues)}")
    lines.append(f"{bullet}You should feel: {'; '.join(item.feel)}")
    lines.append(f"{bullet}You should NOT feel: {'; '.join(item.dont_feel)}")
    lines.append(f"{bullet}Easier: {item.regression}")
    lines.append(f"{bullet}Harder: {item.progression}")
    lines += [f"{bullet}Why for you: {w}" for w in item.why]
    return lines


def _sections(result: Result, md: bool) -> list[str]:
    h = (lambda t: f"## {t}") if md else (lambda t: f"{t}\n{'-' * len(t)}")
    b = "- " if md else "  * "
    t = result.triage
    out = [("# hipscreen report" if md else "HIPSCREEN RESULT"), "",
           f"{'**' if md else ''}{result.disclaimer}{'**' if md else ''}", "",
           h("Triage"), f"{b}Level: {t.label} ({t.level})", f"{b}Action: {t.action}"]
    if t.plan_note:
        out.append(f"{b}{t.plan_note}")
    if unasked := safety_not_asked_line(result):
        out.append(f"{b}{unasked}")
    for f in t.red_flags:
        out.append(f"{b}Red flag: {f.label} [{f.level}] - from {flag_answers(f)} "
                   f"(source: {f.source})")
    out += ["", h("Likely and possible deficits")]
    out += [f"{b}{d.label} ({d.id}) - {d.side}, {d.confidence} (certainty {d.certainty:.2f})"
            for d in result.deficits] or [f"{b}None concluded."]
    out += ["", h("Plan")]
    if not t.drills_allowed:
        out.append(f"{b}No drills: {t.action}")
    elif not result.plan and result.deficits:
        out.append(f"{b}No drills: the precautions below took every drill out of the plan.")
    elif not result.plan:
        out.append(f"{b}No drills: no deficit was concluded from the answers given.")
    for i, item in enumerate(result.plan, 1):
        lines = _plan_lines(item, "   - " if md else "      ")
        out.append(f"{i}. {lines[0]}")
        out += lines[1:]
    if result.precautions:
        out += ["", h("Precautions applied")]
        out += [f"{b}{p.label}: {p.text}" + (f" (drills: {', '.join(p.drills)})" if p.drills else "")
                for p in result.precautions]
    if result.skipped_tests:
        out += ["", h("Tests not done")]
        out += [f"{b}{s.label} - would check {s.would_check}" for s in result.skipped_tests]
    out += ["", h("See a clinician if")]
    out += [f"{b}{s}" for s in result.safety_net]
    out += ["", h("Rules that fired"),
            f"{b}" + ", ".join(dict.fromkeys(result.rules_fired))]
    return out


def to_text(result: Result) -> str:
    return "\n".join(_sections(result, md=False))


def to_markdown(result: Result) -> str:
    return "\n".join(_sections(result, md=True))


def how_text(nodes: list[HowNode]) -> str:
    lines: list[str] = []

    def walk(node: HowNode, depth: int) -> None:
        by = f"  <- {node.rule}" if node.rule else "  (intake answer)"
        lines.append("  " * depth + node.text + by)
        for p in node.premises:
            walk(p, depth + 1)

    for n in nodes:
        walk(n, 0)
    return "\n".join(lines)


def why_not_text(answer: WhyNot) -> str:
    lines = [answer.summary]
    for rule in answer.rules:
        lines.append(f"- {rule.rule} ({'fired' if rule.fired else 'did not fire'}): {rule.rule_text}")
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
        CLINICIAN_MOVEMENT_LABELS,
        CLINICIAN_SAFETY_LABELS,
        HIP_SURGERY_LABELS,
        SEX_LABELS,
        SIDE_ABBREVIATIONS,
        clinician_value_words,
        field_label,
    )

    today = today or dt.date.today()
    drills = catalogue().drills
    intake, t, s = result.intake, result.triage, result.intake.symptoms
    who = "clinician" if intake.mode == "clinician" else "self-report (the person's own answers)"
    lines = [f"hipscreen screening note - {today.isoformat()}",
             "Screening aid, not a diagnosis; to be confirmed by the treating clinician.", ""]
    patient = f"{intake.age} y" if intake.age is not None else "age not given"
    if intake.sex:
        patient += f", {SEX_LABELS[intake.sex].lower()}"
    lines.append(f"Patient: {patient}. Source: {who}.")
    lines.append("Activities: " + clinician_value_words("activities", list(intake.activities)))

    complaints = [f"pain now {s.pain_now}/10, worst in the last week {s.pain_worst_week}/10"]
    if s.weeks:
        complaints.append(f"this episode {s.weeks} weeks")
    complaints.append("recurrent" if s.keeps_coming_back else "not reported as recurrent")
    complaints.append("site: " + clinician_value_words("symptoms.locations", list(s.locations)))
    complaints.append("aggravated by: "
                      + clinician_value_words("symptoms.worse_with", list(s.worse_with)))
    complaints.append("stretching gives only temporary relief"
                      if s.stretching_only_temporary_relief else "no report of short-lived "
                      "relief from stretching")
    complaints.append("paraesthesia or numbness below the knee" if s.pins_and_needles_below_knee
                      else "no paraesthesia below the knee")
    hamstring = s.recurring_hamstring_strain
    complaints.append("recurrent hamstring strain "
                      + (SIDE_ABBREVIATIONS[hamstring] if hamstring != "none" else ": none"))
    lines.append("Complaint: " + "; ".join(complaints).replace("strain : none", "strain: none")
                 + ".")

    tested = []
    for name in Movement.model_fields:
        value = getattr(intake.movement, name)
        if value is not None:
            tested.append(f"{CLINICIAN_MOVEMENT_LABELS[name]}: "
                          f"{clinician_value_words(f'movement.{name}', value)}")
    lines.append("Objective: " + ("; ".join(tested) if tested else "no movement test done")
                 + ".")

    def label(name: str) -> str:
        return CLINICIAN_SAFETY_LABELS.get(name) or field_label(f"safety.{name}")

    positive = [label(n) for n, v in intake.safety if v is True]
    negative = [label(n).lower() for n, v in intake.safety if v is False]
    unasked = [label(n).lower() for n in intake.safety_not_asked if n != "hip_surgery"]
    surgery = intake.safety.hip_surgery
    if not positive and not negative and surgery is None:  # not asked is never a negative screen
        lines.append("Red flags: NOT ASKED (no safety question was asked; this is not a "
                     "negative screen).")
    else:
        lines.append("Red flags positive: " + ("; ".join(positive) if positive else "none")
                     + ".")
        lines.append("Red flags negative: " + ("; ".join(negative) if negative else "none")
                     + ".")
        if unasked:
            lines.append("Red flags NOT ASKED (not negative): " + "; ".join(unasked) + ".")
    lines.append("Hip surgery: " + ("not asked" if surgery is None else "none" if surgery == "none"
                                    else HIP_SURGERY_LABELS[surgery].removeprefix("Yes, ")) + ".")
    if intake.drill_response.low_back_pinch or intake.drill_response.hamstring_cramp:
        names = {d: drills[d].name.lower() for d in (*intake.drill_response.low_back_pinch,
                                                     *intake.drill_response.hamstring_cramp)}
        lines.append("Drill response: low back pinch during "
                     + (", ".join(names[d] for d in intake.drill_response.low_back_pinch)
                        or "none") + "; hamstring cramp during "
                     + (", ".join(names[d] for d in intake.drill_response.hamstring_cramp)
                        or "none") + ".")

    lines += ["", f"Triage: {CLINICIAN_LEVEL_WORDS[t.level]} - {t.action}"]
    for flag in t.red_flags:
        lines.append(f"  - {flag.label} ({flag.level.replace('_', ' ')})")
    if t.plan_note:
        lines.append(f"  {t.plan_note}")

    reasons = clinician_reasons(result)
    lines.append("Deficits (certainty factors, not probabilities):"
                 if result.deficits else "Deficits: none concluded.")
    for d in result.deficits:
        side = "" if d.side == "both" else f" {SIDE_ABBREVIATIONS[d.side]}"
        lines.append(f"  - {d.label}{side}: {d.confidence} (CF {d.certainty:.2f})")
        found = reasons.get((d.id, d.side))
        if found:
            lines.append(f"      evidence: {'; '.join(found)}")

    if result.plan:
        lines.append("Plan:")
        for i, item in enumerate(result.plan, 1):
            side = "both sides" if item.side == "both" else f"{SIDE_ABBREVIATIONS[item.side]} first"
            instead = (f" (instead of the {drills[item.replaces].name.lower()})"
                       if item.replaces else "")
            lines.append(f"  {i}. {item.name}{instead}, {side}: {item.dose.text}")
    elif not t.drills_allowed:
        lines.append("Plan: no exercises at this triage level.")
    else:
        lines.append("Plan: no drills.")
    for p in result.precautions:
        lines.append(f"Precaution: {p.label}.")
    if result.skipped_tests and t.drills_allowed:
        lines.append("Not tested: " + "; ".join(
            CLINICIAN_MOVEMENT_LABELS.get(x.field.rpartition(".")[2], x.label)
            for x in result.skipped_tests) + ".")
    lines += ["", f"hipscreen {hipscreen_version()}, knowledge base {knowledge_fingerprint()}"]
    return "\n".join(lines)


def clinician_reasons(result: Result) -> dict[tuple[str, str], list[str]]:
    """For each (deficit, side): its findings with side and evidence weight, from the trace."""
    from hipscreen.knowledge.catalogue import catalogue
    from hipscreen.words import SIDE_ABBREVIATIONS

    findings = catalogue().findings
    steps = {s.fact_id: s for s in result.trace}
    out: dict[tuple[str, str], list[str]] = {}
    for step in result.trace:
        if step.kind != "Deficit":
            continue
        lines = out.setdefault((step.data["id"], step.data["side"]), [])
        for premises in [step.premises] + [a.get("premises", []) for a in step.also_by]:
            for ev in (steps.get(p) for p in premises):
                if ev is None or ev.kind != "Evidence":
                    continue
                named = [f"{findings[f.data['id']].label}"
                         + ("" if f.data["side"] == "both"
                            else f" {SIDE_ABBREVIATIONS[f.data['side']]}")
                         for f in (steps.get(p) for p in ev.premises)
                         if f is not None and f.kind == "Finding"]
                line = f"{' + '.join(named)} (w {ev.data['weight']:g})"
                if line not in lines:
                    lines.append(line)
    return out


def checkin_markdown(rev: Review) -> str:
    """A check-in's review as a Markdown note, with the person's own words (the PSFS activity
    names) escaped as text (`hipscreen.plaintext.markdown_text`): `![t](http://...)` is shown as
    those characters, never an image fetched, a link or any other markup."""
    from hipscreen.plaintext import markdown_text
    from hipscreen.review import review_text

    changes = [c.model_copy(update={"activity": markdown_text(c.activity)}) if c.activity else c
               for c in rev.changes]
    notes = [markdown_text(n) if n.startswith("Worse since") else n for n in rev.notes]
    return review_text(rev.model_copy(update={"changes": changes, "notes": notes}), markdown=True)


def checkin_text(rev: Review, *, markdown: bool = False) -> str:
    """A check-in's review for people (text) or as a Markdown note (`checkin_markdown`)."""
    from hipscreen.review import review_text

    return checkin_markdown(rev) if markdown else review_text(rev)
