"""The result, shared by self-screening and clinician intake: triage, deficits, the plan, skipped
tests, safety-netting, the reasoning (picture, HOW, WHY NOT) and downloads."""

from __future__ import annotations

from functools import partial

import streamlit as st

from hipscreen.app import presentation as pr
from hipscreen.app import widgets
from hipscreen.pdf import report_pdf
from hipscreen.render import to_markdown
from hipscreen.result import Result
from hipscreen.screening import screen

widgets.page_header("Your result")
result: Result | None = st.session_state.get(widgets.RESULT_KEY)
if result is None:
    st.write("There is no result yet in this browser session. Start a screening first:")
    st.page_link("pages/self_screening.py", label="Self-screening, one step at a time")
    st.page_link("pages/clinician_intake.py", label="Clinician intake form")
    st.stop()

widgets.triage_banner(result.triage)

st.header("What we found")
if result.deficits:
    for deficit in result.deficits:
        widgets.deficit_row(deficit)
else:
    st.write("No deficit was concluded from the answers given.")

widgets.plan_section(result)
widgets.skipped_and_safety_net(result)

st.header("How we got here")
st.write("Each box is one of your answers or something the rules concluded from it; arrows go "
         "from a reason to what follows. A dashed box is a drill left out for your safety.")
st.graphviz_chart(pr.reasoning_dot(result), width="stretch")
with st.expander("The picture in words"):
    st.write(pr.reasoning_summary(result))

st.subheader("How was each conclusion reached?")
for conclusion, label in pr.conclusions(result):
    with st.expander(label):
        st.markdown(pr.how_markdown(result.how(conclusion)))

st.subheader("Why not ...?")
choices = dict(pr.why_not_choices())
asked = st.selectbox("Ask why a deficit or drill was or was not concluded",
                     options=list(choices), format_func=choices.__getitem__, index=None,
                     placeholder="Choose a deficit or a drill", key="why_not_pick")
if asked:
    answer = result.why_not(asked)
    (st.success if answer.concluded else st.info)(answer.summary)
    for rule in answer.rules:
        fired = "fired" if rule.fired else "did not fire"
        with st.container(border=True):
            st.markdown(f"**Rule `{rule.rule}`** ({fired}): {rule.rule_text}  \n"
                        f"*Source: {rule.source}*")
            st.markdown("\n".join(
                f"- {pr.WHY_NOT_STATUS_WORDS[c.status].capitalize()}: {c.text}"
                for c in rule.conditions))

st.header("Downloads")
st.write("Nothing is saved unless you download it here.")
cols = st.columns(3)
cols[0].download_button("Report (Markdown)", to_markdown(result), file_name="hipscreen-report.md",
                        mime="text/markdown", key="dl_markdown", on_click="ignore")
cols[1].download_button("Result (JSON)", result.model_dump_json(indent=2),
                        file_name="hipscreen-result.json", mime="application/json",
                        key="dl_json", on_click="ignore")
cols[2].download_button("Intake as a case file (YAML)", pr.case_file_yaml(result),
                        file_name="new-case.yaml", mime="application/x-yaml", key="dl_case",
                        on_click="ignore",
                        help="Turn this intake into a documented case for cases/")
pdfs = st.columns(3)
# the PDF is made only when its button is clicked (a callable), not on every rerun
pdfs[0].download_button("Clinician report (PDF)", partial(report_pdf, result, "clinician"),
                        file_name="hipscreen-clinician-report.pdf", mime="application/pdf",
                        key="dl_pdf_clinician", on_click="ignore",
                        help="Answers, triage, deficits with their reasoning, the plan, the picture")
pdfs[1].download_button("Plan for the person (PDF)", partial(report_pdf, result, "plan"),
                        file_name="hipscreen-plan.pdf", mime="application/pdf",
                        key="dl_pdf_plan", on_click="ignore",
                        help="Each drill with its steps and cues, and when to see a clinician")

if result.plan:
    st.header("Tried the plan? Tell us how it felt")
    names = {item.drill: item.name for item in result.plan}
    with st.form("drill_response"):
        current = result.intake.drill_response
        pinch = st.multiselect("I felt a low back pinch during", options=list(names),
                               default=[d for d in current.low_back_pinch if d in names],
                               format_func=names.__getitem__)
        cramp = st.multiselect("My hamstring cramped during", options=list(names),
                               default=[d for d in current.hamstring_cramp if d in names],
                               format_func=names.__getitem__)
        if st.form_submit_button("Update my plan"):
            # drills reported earlier and since swapped out of the plan keep their answer
            earlier_pinch = [d for d in current.low_back_pinch if d not in names]
            earlier_cramp = [d for d in current.hamstring_cramp if d not in names]
            st.session_state[widgets.RESULT_KEY] = screen(pr.with_drill_response(
                result.intake, earlier_pinch + pinch, earlier_cramp + cramp))
            st.rerun()
