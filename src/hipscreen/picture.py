"""The reasoning picture: the trace as a graph (answers to drills), as DOT text and as SVG."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from hipscreen.documents import OutputError
from hipscreen.i18n import N_, _, ngettext, translate
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.result import Result
from hipscreen.words import CLINICIAN_LEVEL_WORDS, LEVEL_COLOURS, answer_text

DOT_BINARY = "graphviz-pure"
"""The self-contained dot of the graphviz-pure package (no system Graphviz needed)."""
SVG_TIMEOUT_SECONDS = 30


class PictureError(OutputError):
    """The reasoning picture could not be drawn (graphviz-pure missing, failed or too slow)."""


_SHOWN = {"Answer", "RedFlag", "Triage", "DrillsStopped", "Finding", "Deficit", "Planned",
          "Blocked"}
_COLUMNS = (("answers", N_("Your answers")), ("findings", N_("What they show")),
            ("deficits", N_("Likely and possible deficits")), ("plan", N_("Your plan")))


def _dot_text(text: str, width: int = 30) -> str:
    """Text as the inside of a quoted DOT string, wrapped at `width`: a backslash and a quote are
    escaped, so no text can end the string or be read as an escape such as \\N (the node name)."""
    lines = textwrap.wrap(" ".join(str(text).split()), width)
    return "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) or " "


def reasoning_graph(result: Result) -> tuple[dict[str, dict[str, str]], set[tuple[str, str, str]]]:
    """The reasoning as nodes and edges, from the trace: answers -> findings (and red flags,
    triage) -> deficits -> drills. Intermediate facts (evidence, candidates, swaps) are folded
    into the edges. Nodes: id -> {label, column, style}; edges: (from, to, label)."""
    cat = catalogue()
    steps = {s.fact_id: s for s in result.trace}
    nodes: dict[str, dict[str, str]] = {}

    def node_id(step) -> str:
        if step.kind in ("Planned", "Blocked"):
            return f"{step.kind.lower()}_{step.data['drill']}"
        return f"f{step.fact_id}"

    def add_node(step) -> str:
        key = node_id(step)
        d = step.data
        if step.kind == "Answer":
            node = {"label": answer_text(d["field"], d["value"]), "column": "answers"}
        elif step.kind == "Finding":
            side = "" if d["side"] == "both" else f" ({translate(d['side'])})"
            node = {"label": cat.findings[d["id"]].label + side, "column": "findings"}
        elif step.kind == "RedFlag":
            node = {"label": _("Red flag: {label} ({level})", label=cat.red_flags[d["id"]].label,
                               level=CLINICIAN_LEVEL_WORDS[d["level"]].lower()),
                    "column": "findings",
                    "fill": LEVEL_COLOURS[d["level"]][0]}
        elif step.kind == "Triage":
            node = {"label": _("Triage: {level}", level=CLINICIAN_LEVEL_WORDS[d["level"]].lower()),
                    "column": "deficits",
                    "fill": LEVEL_COLOURS[d["level"]][0]}
        elif step.kind == "DrillsStopped":
            node = {"label": _("No drills: the plan is stopped"), "column": "plan",
                    "fill": LEVEL_COLOURS["emergency"][0]}
        elif step.kind == "Deficit":
            node = {"label": f"{cat.deficits[d['id']].label} ({translate(d['side'])}): "
                             f"{translate(d['confidence'])}, {d['certainty']:.2f}",
                    "column": "deficits"}
        elif step.kind == "Planned":
            sides = sorted({s.data["side"] for s in result.trace
                            if s.kind == "Planned" and s.data["drill"] == d["drill"]})
            node = {"label": f"{cat.drills[d['drill']].name} "
                             f"({', '.join(translate(s) for s in sides)})",
                    "column": "plan", "fill": "#cfe2ff"}
        else:  # Blocked
            node = {"label": _("Left out: {drill} ({precaution})",
                               drill=cat.drills[d["drill"]].name,
                               precaution=cat.precautions[d["precaution"]].label),
                    "column": "plan", "style": "dashed"}
        nodes.setdefault(key, node)
        return key

    memo: dict[int, set[tuple[str, str]]] = {}

    def shown_parents(fact_id: int) -> set[tuple[str, str]]:
        """The nearest shown ancestors of a fact, with an edge label from a folded evidence."""
        if fact_id in memo:
            return memo[fact_id]
        memo[fact_id] = set()
        step = steps.get(fact_id)
        found: set[tuple[str, str]] = set()
        if step is not None:
            premise_sets = [step.premises] + [a.get("premises", []) for a in step.also_by]
            for premises in premise_sets:
                for pid in premises:
                    parent = steps.get(pid)
                    if parent is None:
                        continue
                    if parent.kind in _SHOWN:
                        found.add((add_node(parent), ""))
                    else:
                        label = (_("weight {weight}", weight=parent.data["weight"])
                                 if parent.kind == "Evidence" else "")
                        found |= {(key, label or lab) for key, lab in shown_parents(pid)}
        memo[fact_id] = found
        return found

    edges: set[tuple[str, str, str]] = set()
    for step in result.trace:
        if step.kind not in _SHOWN or step.kind == "Answer":
            continue
        child = add_node(step)
        for parent, label in shown_parents(step.fact_id):
            if parent != child:
                edges.add((parent, child, label))
    return nodes, edges


Graph = tuple[dict[str, dict[str, str]], set[tuple[str, str, str]]]


def reasoning_dot(result: Result, *, fontname: str = "Helvetica", graph: Graph | None = None
                  ) -> str:
    """The reasoning picture as Graphviz DOT text, for st.graphviz_chart: four columns, left to
    right. Only answers that some rule used appear. `fontname` is the font the layout measures
    text with (the PDF report uses the font it embeds); `graph` the result's `reasoning_graph`,
    when the caller has it already."""
    nodes, edges = graph or reasoning_graph(result)
    font = _dot_text(fontname)
    lines = ["digraph reasoning {",
             f'  graph [rankdir=LR, nodesep=0.25, ranksep=0.6, fontname="{font}", fontsize=12];',
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
             f'fontname="{font}", fontsize=11, color="#555555", fontcolor="#111111"];',
             f'  edge [color="#777777", fontname="{font}", fontsize=9, fontcolor="#333333"];']
    for column, title in _COLUMNS:
        members = [(k, n) for k, n in nodes.items() if n["column"] == column]
        if not members:
            continue
        lines.append(f"  subgraph cluster_{column} {{")
        lines.append(f'    label="{_dot_text(translate(title))}"; style="rounded"; '
                     'color="#bbbbbb";')
        for key, node in sorted(members, key=lambda kn: kn[1]["label"]):
            style = "rounded,filled,dashed" if node.get("style") == "dashed" else "rounded,filled"
            fill = node.get("fill", "#f2f2f2" if column == "answers" else "#ffffff")
            lines.append(f'    {key} [label="{_dot_text(node["label"])}", style="{style}", '
                         f'fillcolor="{fill}"];')
        lines.append("  }")
    for parent, child, label in sorted(edges):
        attr = f' [label="{_dot_text(label, 20)}"]' if label else ""
        lines.append(f"  {parent} -> {child}{attr};")
    lines.append("}")
    return "\n".join(lines)


def reasoning_summary(result: Result, *, graph: Graph | None = None) -> str:
    """The reasoning picture in one paragraph of words, for screen readers (alt text)."""
    nodes, edges = graph or reasoning_graph(result)
    by_column = {c: [n["label"] for n in nodes.values() if n["column"] == c] for c, _ in _COLUMNS}
    parts = [f"{translate(title)}: {'; '.join(sorted(by_column[c])) or _('none')}"
             for c, title in _COLUMNS]
    return (_("Reasoning picture.") + " " + ". ".join(parts) + ". "
            + ngettext("{n} link.", "{n} links.", len(edges)))


def dot_binary() -> str:
    """The graphviz-pure dot: next to this Python (the venv's bin/ or Scripts/), else on PATH."""
    here = Path(sys.executable)
    for candidate in (here.with_name(DOT_BINARY), here.with_name(f"{DOT_BINARY}.exe")):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(DOT_BINARY)
    if found is None:
        raise PictureError(
            f"cannot draw the reasoning picture: the {DOT_BINARY} program was found neither next "
            f"to {here} nor on PATH; install the graphviz-pure package in this environment")
    return found


def dot_to_svg(dot: str, *, timeout: float = SVG_TIMEOUT_SECONDS) -> str:
    """Lay out DOT text with graphviz-pure and return the SVG text; PictureError when it fails."""
    binary = dot_binary()
    try:
        done = subprocess.run([binary, "-Tsvg"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PictureError(f"{DOT_BINARY} did not finish the reasoning picture within "
                           f"{timeout:g} s") from None
    except OSError as exc:
        raise PictureError(f"cannot run {binary}: {exc.strerror or exc}") from None
    if done.returncode != 0 or not done.stdout:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PictureError(f"{DOT_BINARY} failed (exit {done.returncode}): "
                           f"{message[-1] if message else 'no output'}")
    return done.stdout.decode("utf-8")


def reasoning_svg(result: Result, *, fontname: str = "Helvetica", graph: Graph | None = None
                  ) -> str:
    """The reasoning picture as SVG text (`hipscreen screen --format svg`, the PDF report)."""
    return dot_to_svg(reasoning_dot(result, fontname=fontname, graph=graph))


def deficit_reasons(result: Result) -> dict[tuple[str, str], list[str]]:
    """The reasoning behind each deficit in words, as the picture shows it: for (deficit id,
    side), one line per finding that supports it (`DeficitResult.findings`), with its evidence
    weight(s) and the answers it came from ("Hip shift in a squat or hinge (left), weight 0.5;
    from: ...")."""
    cat = catalogue()
    out: dict[tuple[str, str], list[str]] = {}
    for deficit in result.deficits:
        lines = []
        for finding in deficit.findings():
            side = "" if finding.side == "both" else f" ({translate(finding.side)})"
            labels = sorted({_("weight {weight}", weight=w) for w in deficit.weights_of(finding)})
            line = cat.findings[finding.id].label + side + (
                f", {_weights(labels)}" if labels else "")
            answers = sorted(answer_text(a.field, a.value) for a in finding.answers)
            if answers:
                line += "; " + _("from: {answers}", answers="; ".join(answers))
            lines.append(line)
        out[(deficit.id, deficit.side)] = sorted(lines)
    return out


def _weights(labels: list[str]) -> str:
    """"weight 0.5" for one edge label, "weights 0.5, 0.7" for a finding that two rules used."""
    if len(labels) > 1 and all(label.startswith("weight ") for label in labels):
        return "weights " + ", ".join(label.removeprefix("weight ") for label in labels)
    return ", ".join(labels)
