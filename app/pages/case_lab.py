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
from hipscreen.app import access, language, records_ui, widgets
from hipscreen.app.case_files import case_from_upload, default_cases_dir, differences_frame
from hipscreen.app.plain import md
from hipscreen.i18n import _, decimal

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

ONE = "case_lab_one"
SUITE = "case_lab_suite"
STATUS_WORDS = {"pass": "PASS", "fail": "FAIL", "invalid": "INVALID FILE", "error": "ERROR"}


def show_case_result(result: cases.CaseResult) -> None:
    words = f"**{STATUS_WORDS[result.status]}: {md(result.id)}**" + (
        f" - {md(result.title)}" if result.title else "")
    if result.status == "pass":
        st.success(words + "  \n" + _("Every expectation of the case file is met."),
                   icon=":material/check_circle:")
    else:
        st.error(words, icon=":material/cancel:")
    for problem in result.errors:
        st.error(md(problem))
    if result.differences:
        st.markdown(_("**Expected vs actual**"))
        st.dataframe(differences_frame(result), hide_index=True, width="stretch")
    if result.outcome is not None:
        o = result.outcome
        deficits = ", ".join(f"{d.id} ({d.side}, {d.confidence})" for d in o.deficits) or _("none")
        drills = ", ".join(f"{d.drill} ({d.side})" for d in o.drills) or _("none")
        st.markdown(_("**Actual:** triage {triage}; deficits: {deficits}; drills: {drills}",
                      triage=o.triage.replace("_", " "), deficits=md(deficits), drills=md(drills)))
        with st.expander(_("Rules fired ({count})", count=len(result.rules_fired))):
            st.markdown("\n".join(f"- `{rule}`" for rule in result.rules_fired))


widgets.page_header(_("Case lab"), _("Check the rule base against documented cases: each case "
                                     "file holds a story, an intake and what must follow from it."))
default = default_cases_dir()
typed = access.served_locally() and records_ui.records_allowed()[0]
if typed:
    folder_text = st.text_input(_("Folder of case files"), value=str(default or "cases"),
                                key="case_folder", help=_("A folder of *.yaml case files"))
    folder = Path(folder_text).expanduser()
else:  # never a path typed by a visitor: the project's own case files, or an upload
    folder = default or Path("cases")
    st.caption(_("The project's own case files, or a case file you upload.")
               + (" " + _("To run case files from another folder of this computer, sign in with "
                          "the address `hipscreen app` printed.") if access.served_locally()
                  else ""))
files, problems = cases.discover([folder]) if folder.is_dir() else ([], [])
if not folder.is_dir():
    st.error(_("Folder of case files: {folder} is not a folder. Enter the folder that holds the "
               "case files, or upload one case below.", folder=md(folder)) if typed else
             _("There is no case folder here: upload a case file below."), icon=":material/edit:")
for _path, message in problems:
    st.warning(md(message))

one, suite = st.tabs([_("One case"), _("The whole suite")])
FROM_FOLDER = _("A case file from the folder")
with one:
    source = st.radio(_("Which case?"), [FROM_FOLDER, _("Upload a case file")],
                      horizontal=True, key="case_source")
    if source == FROM_FOLDER:
        by_name = {path.stem: path for path in files}
        picked = st.selectbox(_("Case file"), options=list(by_name), index=None,
                              placeholder=_("Choose a case") if by_name
                              else _("No case files found"),
                              key="case_pick")
        if st.button(_("Run this case"), key="run_case", disabled=picked is None):
            try:
                case = cases.load_case(by_name[picked])
                st.session_state[ONE] = cases.run_case(case, by_name[picked])
            except cases.CaseError as exc:
                st.session_state[ONE] = cases.CaseResult(
                    id=picked, file=str(by_name[picked]), status="invalid",
                    errors=str(exc).splitlines())
    else:
        upload = st.file_uploader(_("Case file to upload (YAML, up to 1 MB; kept in memory only)"),
                                  type=["yaml", "yml"], key="case_upload")
        if st.button(_("Run the uploaded case"), key="run_upload", disabled=upload is None):
            try:
                case = case_from_upload(upload.name, upload.getvalue())
                st.session_state[ONE] = cases.run_case(case, upload.name)
            except cases.CaseError as exc:
                st.session_state[ONE] = cases.CaseResult(
                    id=Path(upload.name).stem, file=upload.name, status="invalid",
                    errors=str(exc).splitlines())
    if ONE in st.session_state:
        show_case_result(st.session_state[ONE])

with suite:
    if st.button(_("Run the whole suite"), key="run_suite", disabled=not folder.is_dir(),
                 type="primary"):
        st.session_state[SUITE] = cases.run_cases([folder])
    report: cases.CaseReport | None = st.session_state.get(SUITE)
    if report is not None:
        s = report.summary
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(_("Cases"), s.total)
        c2.metric(_("Passed"), s.passed)
        c3.metric(_("Failed or errors"), s.failed + s.errors)
        c4.metric(_("Invalid files"), s.invalid)
        verdict = (_("Every case passes.") if s.exit_code == 0 else
                   _("Some cases fail.") if s.exit_code == 1 else
                   _("Some case files are invalid."))
        (st.success if s.exit_code == 0 else st.error)(
            f"**{verdict}** " + _("{passed} of {total} passed in {seconds} s.", passed=s.passed,
                                  total=s.total, seconds=decimal(s.seconds)))
        st.dataframe(cases.case_frame(report), hide_index=True, width="stretch")
        st.subheader(_("Coverage: how many cases fire each rule"))
        st.dataframe(cases.coverage_frame(report), hide_index=True, width="stretch")
        cov = report.coverage
        st.markdown("\n".join(f"- **{label}:** {', '.join(missing) or _('none')}"
                               for label, missing in (
            (_("Rules no case fires"), cov.rules_never_fired),
            (_("Red-flag rows no case raises"), cov.red_flags_never_raised),
            (_("Deficits no case concludes"), cov.deficits_never_concluded),
            (_("Drills no case plans"), cov.drills_never_planned),
            (_("Precautions no case applies"), cov.precautions_never_applied),
            (_("Triage levels no case reaches"), cov.triage_levels_never_reached))))
        st.download_button(_("Suite report (Markdown)"), cases.render_markdown(report),
                           file_name="case-suite.md", mime="text/markdown",
                           key="dl_suite", on_click="ignore")
