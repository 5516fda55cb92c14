"""Render a Result as readable text or as a Markdown note a clinician can paste."""

from __future__ import annotations

from hipscreen.explain import HowNode, WhyNot
from hipscreen.result import PlanItem, Result


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
    for f in t.red_flags:
        out.append(f"{b}Red flag: {f.label} [{f.level}] - from {', '.join(f.answers)} "
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
