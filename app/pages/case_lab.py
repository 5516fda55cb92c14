"""Case lab: run one documented case file (from the case folder or uploaded) and see pass or
fail with the expected-vs-actual differences; run the whole suite with its coverage.

Which files it reads: the project's own case folder and uploaded files (kept in memory) for
everyone; another folder of this computer only for a browser signed in on this computer (the
address `hipscreen app` printed). Served beyond this computer it never reads a path a visitor
types. A case file's words (title, errors that quote it) are drawn as text, never Markdown."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from hipscreen import cases
from hipscreen.app import access, records_ui, widgets
from hipscreen.app import presentation as pr
from hipscreen.app.plain import md

ONE = "case_lab_one"
SUITE = "case_lab_suite"
STATUS_WORDS = {"pass": "PASS", "fail": "FAIL", "invalid": "INVALID FILE", "error": "ERROR"}


def show_case_result(result: cases.CaseResult) -> None:
    words = f"**{STATUS_WORDS[result.status]}: {md(result.id)}**" + (
        f" - {md(result.title)}" if result.title else "")
    if result.status == "pass":
        st.success(words + "  \nEvery expectation of the case file is met.",
                   icon=":material/check_circle:")
    else:
        st.error(words, icon=":material/cancel:")
    for problem in result.errors:
        st.error(md(problem))
    if result.differences:
        st.markdown("**Expected vs actual**")
        st.dataframe(pr.differences_frame(result), hide_index=True, width="stretch")
    if result.outcome is not None:
        o = result.outcome
        deficits = ", ".join(f"{d.id} ({d.side}, {d.confidence})" for d in o.deficits) or "none"
        drills = ", ".join(f"{d.drill} ({d.side})" for d in o.drills) or "none"
        st.markdown(f"**Actual:** triage {o.triage.replace('_', ' ')}; deficits: {md(deficits)}; "
                    f"drills: {md(drills)}")
        with st.expander(f"Rules fired ({len(result.rules_fired)})"):
            st.markdown("\n".join(f"- `{rule}`" for rule in result.rules_fired))


widgets.page_header("Case lab", "Check the rule base against documented cases: each case file "
                                "holds a story, an intake and what must follow from it.")
default = pr.default_cases_dir()
typed = access.served_locally() and records_ui.records_allowed()[0]
if typed:
    folder_text = st.text_input("Folder of case files", value=str(default or "cases"),
                                key="case_folder", help="A folder of *.yaml case files")
    folder = Path(folder_text).expanduser()
else:  # never a path typed by a visitor: the project's own case files, or an upload
    folder = default or Path("cases")
    st.caption("The project's own case files, or a case file you upload."
               + (" To run case files from another folder of this computer, sign in with the "
                  "address `hipscreen app` printed." if access.served_locally() else ""))
files, problems = cases.discover([folder]) if folder.is_dir() else ([], [])
if not folder.is_dir():
    st.error(f"Folder of case files: {md(folder)} is not a folder. Enter the folder that holds "
             "the case files, or upload one case below." if typed else
             "There is no case folder here: upload a case file below.", icon=":material/edit:")
for _, message in problems:
    st.warning(md(message))

one, suite = st.tabs(["One case", "The whole suite"])
with one:
    source = st.radio("Which case?", ["A case file from the folder", "Upload a case file"],
                      horizontal=True, key="case_source")
    if source.startswith("A case file"):
        by_name = {path.stem: path for path in files}
        picked = st.selectbox("Case file", options=list(by_name), index=None,
                              placeholder="Choose a case" if by_name else "No case files found",
                              key="case_pick")
        if st.button("Run this case", key="run_case", disabled=picked is None):
            try:
                case = cases.load_case(by_name[picked])
                st.session_state[ONE] = cases.run_case(case, by_name[picked])
            except cases.CaseError as exc:
                st.session_state[ONE] = cases.CaseResult(
                    id=picked, file=str(by_name[picked]), status="invalid",
                    errors=str(exc).splitlines())
    else:
        upload = st.file_uploader("Case file to upload (YAML, up to 1 MB; kept in memory only)",
                                  type=["yaml", "yml"], key="case_upload")
        if st.button("Run the uploaded case", key="run_upload", disabled=upload is None):
            try:
                case = pr.case_from_upload(upload.name, upload.getvalue())
                st.session_state[ONE] = cases.run_case(case, upload.name)
            except cases.CaseError as exc:
                st.session_state[ONE] = cases.CaseResult(
                    id=Path(upload.name).stem, file=upload.name, status="invalid",
                    errors=str(exc).splitlines())
    if ONE in st.session_state:
        show_case_result(st.session_state[ONE])

with suite:
    if st.button("Run the whole suite", key="run_suite", disabled=not folder.is_dir(),
                 type="primary"):
        st.session_state[SUITE] = cases.run_cases([folder])
    report: cases.CaseReport | None = st.session_state.get(SUITE)
    if report is not None:
        s = report.summary
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Cases", s.total)
        c2.metric("Passed", s.passed)
        c3.metric("Failed or errors", s.failed + s.errors)
        c4.metric("Invalid files", s.invalid)
        verdict = ("Every case passes." if s.exit_code == 0 else
                   "Some cases fail." if s.exit_code == 1 else "Some case files are invalid.")
        (st.success if s.exit_code == 0 else st.error)(
            f"**{verdict}** {s.passed} of {s.total} passed in {s.seconds:.2f} s.")
        st.dataframe(cases.case_frame(report), hide_index=True, width="stretch")
        st.subheader("Coverage: how many cases fire each rule")
        st.dataframe(cases.coverage_frame(report), hide_index=True, width="stretch")
        cov = report.coverage
        st.markdown("\n".join(f"- **{label}:** {', '.join(missing) or 'none'}" for label, missing in (
            ("Rules no case fires", cov.rules_never_fired),
            ("Red-flag rows no case raises", cov.red_flags_never_raised),
            ("Deficits no case concludes", cov.deficits_never_concluded),
            ("Drills no case plans", cov.drills_never_planned),
            ("Precautions no case applies", cov.precautions_never_applied),
            ("Triage levels no case reaches", cov.triage_levels_never_reached))))
        st.download_button("Suite report (Markdown)", cases.render_markdown(report),
                           file_name="case-suite.md", mime="text/markdown",
                           key="dl_suite", on_click="ignore")
