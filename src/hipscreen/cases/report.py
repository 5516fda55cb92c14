"""The case report as a table, Markdown or JUnit XML (JSON is the CaseReport model itself)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where a table is built: JSON and JUnit runs skip it
    import pandas as pd

from hipscreen.cases.runner import CaseReport


# -- rendering -----------------------------------------------------------------------------
def case_frame(report: CaseReport) -> pd.DataFrame:
    """One row per case: id, result, rules fired, and the differences or problems."""
    import pandas as pd

    rows = []
    for r in report.cases:
        detail = [d.headline for d in r.differences] + r.errors
        rows.append({"case": r.id, "result": r.status, "rules fired": len(r.rules_fired),
                     "expected vs actual": " | ".join(detail)})
    return pd.DataFrame(rows, columns=["case", "result", "rules fired", "expected vs actual"])


def coverage_frame(report: CaseReport) -> pd.DataFrame:
    """One row per rule: its stage and how many cases fire it."""
    import pandas as pd

    return pd.DataFrame([{"rule": c.rule, "stage": c.stage, "cases": c.cases}
                         for c in report.coverage.rules], columns=["rule", "stage", "cases"])


def baseline_frame(report: CaseReport) -> pd.DataFrame:
    """One row per changed case: what changed since the baseline."""
    import pandas as pd

    changes = report.baseline.changes if report.baseline else []
    return pd.DataFrame([{"case": c.id, "change": "; ".join(c.lines())} for c in changes],
                        columns=["case", "change"])


def _uncovered(report: CaseReport) -> list[tuple[str, list[str]]]:
    cov = report.coverage
    return [("rules no case fires", cov.rules_never_fired),
            ("red-flag rows no case raises", cov.red_flags_never_raised),
            ("deficits no case concludes", cov.deficits_never_concluded),
            ("drills no case plans", cov.drills_never_planned),
            ("precautions no case applies", cov.precautions_never_applied),
            ("triage levels no case reaches", cov.triage_levels_never_reached)]


def _misses(misses) -> str:
    return ", ".join(f"{m.id} (expected {m.expected}, got {m.actual})" for m in misses) or "none"


def triage_line(report: CaseReport) -> str:
    """Exact triage agreement, under- and over-triage counts, in one line."""
    t = report.triage
    return (f"triage: {t.agree} of {t.compared} screened cases agree exactly, "
            f"{t.under_triaged} under-triaged, {t.over_triaged} over-triaged")


def triage_lines(report: CaseReport) -> list[str]:
    """The triage line, then the under- and over-triaged cases, one per line."""
    t = report.triage
    out = [triage_line(report)]
    for label, misses in (("under-triaged (less urgent than expected)", t.under_triaged_cases),
                          ("over-triaged (more urgent than expected)", t.over_triaged_cases)):
        out.append(f"{label}: {'' if misses else 'none'}".rstrip())
        out += [f"  - {m.id}: expected {m.expected}, got {m.actual}" for m in misses]
    return out


def triage_frame(report: CaseReport) -> pd.DataFrame:
    """One row per case whose actual triage differs from the expected one."""
    import pandas as pd

    t = report.triage
    rows = [{"case": m.id, "expected": m.expected, "actual": m.actual, "direction": direction}
            for direction, misses in (("under-triaged", t.under_triaged_cases),
                                      ("over-triaged", t.over_triaged_cases))
            for m in misses]
    return pd.DataFrame(rows, columns=["case", "expected", "actual", "direction"])


def summary_line(report: CaseReport) -> str:
    s = report.summary
    return (f"{s.total} case files: {s.passed} passed, {s.failed} failed, {s.errors} errors, "
            f"{s.invalid} invalid ({s.seconds:.2f} s)")


def _failure_details(report: CaseReport) -> list[str]:
    lines = []
    for r in report.cases:
        if r.status == "pass":
            continue
        lines.append(f"{r.id} ({r.file}): {r.status}")
        lines += [f"  - {d.message}" for d in r.differences]
        lines += [f"  - {e}" for e in r.errors]
    return lines


def _to_string(frame: pd.DataFrame) -> str:
    """A DataFrame as plain text, text columns aligned left."""
    import pandas as pd

    if frame.empty:
        return "(none)"
    frame = frame.copy()
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            text = frame[column].astype(str)
            width = max(int(text.str.len().max()), len(str(column)))
            frame[column] = text.str.ljust(width)
            frame = frame.rename(columns={column: str(column).ljust(width)})
    return "\n".join(line.rstrip() for line in frame.to_string(index=False).splitlines())


def render_table(report: CaseReport, *, show_coverage: bool = True) -> str:
    out = [_to_string(case_frame(report)), ""]
    details = _failure_details(report)
    if details:
        out += ["Failures and invalid files:", *details, ""]
    if show_coverage:
        out += ["Coverage: cases firing each rule", _to_string(coverage_frame(report)), ""]
    for label, missing in _uncovered(report):
        out.append(f"{label}: {', '.join(missing) if missing else 'none'}")
    out += ["", *triage_lines(report)]
    if report.baseline is not None:
        b = report.baseline
        out += ["", f"Compared with {b.baseline}: {b.cases_compared} cases compared, "
                    f"{b.unchanged} unchanged, {len(b.changes)} changed",
                _to_string(baseline_frame(report))]
    out += ["", summary_line(report)]
    return "\n".join(out)


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table of a DataFrame (pandas' to_markdown needs tabulate)."""
    def cell(value) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(cell(c) for c in frame.columns) + " |"
    rule = "|" + "|".join(" --- " for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def render_markdown(report: CaseReport, *, show_coverage: bool = True) -> str:
    t = report.triage
    out = ["# Case suite", "", summary_line(report), "", triage_line(report), "",
           markdown_table(case_frame(report)), ""]
    details = _failure_details(report)
    if details:
        out += ["## Failures and invalid files", "", "```", *details, "```", ""]
    if show_coverage:
        out += ["## Coverage", "", markdown_table(coverage_frame(report)), ""]
    out += [f"- {label}: {', '.join(missing) if missing else 'none'}"
            for label, missing in _uncovered(report)]
    out += ["", "## Triage agreement", "",
            f"- cases compared: {t.compared}",
            f"- agree exactly: {t.agree}",
            f"- under-triaged (less urgent than expected): {t.under_triaged}",
            f"- over-triaged (more urgent than expected): {t.over_triaged}"]
    if t.under_triaged or t.over_triaged:
        out += ["", markdown_table(triage_frame(report))]
    if report.baseline is not None:
        b = report.baseline
        out += ["", f"## Changes since {b.baseline}", "",
                f"{b.cases_compared} cases compared, {b.unchanged} unchanged, "
                f"{len(b.changes)} changed.", ""]
        if b.changes:
            out.append(markdown_table(baseline_frame(report)))
    return "\n".join(out) + "\n"


def render_junit(report: CaseReport) -> str:
    """JUnit XML: one <testcase> per case file; a difference is a <failure>, an invalid file or
    a screening crash an <error>. Coverage gaps are <properties> of the suite."""
    s = report.summary
    failures = s.failed
    errors = s.errors + s.invalid
    suites = ET.Element("testsuites", name="hipscreen cases", tests=str(s.total),
                        failures=str(failures), errors=str(errors), time=f"{s.seconds:.3f}")
    suite = ET.SubElement(suites, "testsuite", name="cases", tests=str(s.total),
                          failures=str(failures), errors=str(errors), skipped="0",
                          time=f"{s.seconds:.3f}",
                          timestamp=datetime.now(UTC).isoformat(timespec="seconds"))
    props = ET.SubElement(suite, "properties")
    for label, missing in _uncovered(report):
        ET.SubElement(props, "property", name=label, value=", ".join(missing) or "none")
    t = report.triage
    for name, value in (("triage compared", t.compared), ("triage agree", t.agree),
                        ("triage under-triaged", t.under_triaged),
                        ("triage over-triaged", t.over_triaged),
                        ("triage under-triaged cases", _misses(t.under_triaged_cases)),
                        ("triage over-triaged cases", _misses(t.over_triaged_cases))):
        ET.SubElement(props, "property", name=name, value=str(value))
    for r in report.cases:
        case = ET.SubElement(suite, "testcase", name=r.id, classname="cases",
                             file=r.file, time=f"{r.seconds:.4f}")
        if r.status == "fail":
            node = ET.SubElement(case, "failure", type="ExpectationMismatch",
                                 message=r.differences[0].message)
            node.text = "\n".join(d.message for d in r.differences)
        elif r.status in ("invalid", "error"):
            kind = "InvalidCaseFile" if r.status == "invalid" else "ScreeningError"
            node = ET.SubElement(case, "error", type=kind, message=r.errors[0])
            node.text = "\n".join(r.errors)
        if r.rules_fired:
            ET.SubElement(case, "system-out").text = "rules fired: " + ", ".join(r.rules_fired)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def render(report: CaseReport, fmt: str, *, show_coverage: bool = True) -> str:
    if fmt == "json":
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return render_markdown(report, show_coverage=show_coverage)
    if fmt == "junit":
        return render_junit(report)
    return render_table(report, show_coverage=show_coverage) + "\n"


