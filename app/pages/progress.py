"""Progress: a person's pain and PSFS over time, the plan's history, and every decision of every
check-in with its reason, from their saved records.

Only the newest records are read and drawn (a page of the store's history, `history_page`), so a
person with thousands of check-ins sees the first view at once; "Show older records" reads more."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from hipscreen.app import records_ui, widgets
from hipscreen.app.plain import md
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.review import DECISION_WORDS
from hipscreen.words import LEVEL_WORDS

KIND_WORDS = {"screening": "Screening", "revision": "Clinician revision", "checkin": "Check-in"}
PAGE = 50  # records read and drawn at first, and added by each "Show older records"
SHOWN_KEY = "progress:shown"


def show_more(label: str) -> None:
    shown = st.session_state.get(SHOWN_KEY)
    count = shown[1] if shown and shown[0] == label else PAGE
    st.session_state[SHOWN_KEY] = (label, count + PAGE)


widgets.page_header("Your progress", "Pain and the activities you named, record by record, and "
                                     "what each check-in changed in your plan.")
records_ui.require_records_access()

label = st.text_input("Your label", key="progress:label", max_chars=60)
if not label.strip():
    st.stop()
shown = st.session_state.get(SHOWN_KEY)
limit = shown[1] if shown and shown[0] == label.strip() else PAGE
page = records_ui.read_or_stop(lambda: records_ui.store().history_page(label, limit=limit))
history = page.rows
if not history:
    st.info("Nothing is saved under this label.", icon=":material/search_off:")
    st.stop()
if page.before is not None:
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(f"Showing the newest {len(history)} of {page.total} records.")
    right.button("Show older records", key="progress:older", on_click=show_more,
                 args=(label.strip(),))

def chart(columns: dict[str, list], y_title: str) -> None:
    """Scores over time, a point per record (one record is still one visible point)."""
    rows = [{"saved": h.created_at.replace(tzinfo=None), "measure": name, "score": values[i]}
            for name, values in columns.items() for i, h in enumerate(history)
            if values[i] is not None]
    data = pd.DataFrame(rows, columns=["saved", "measure", "score"])
    st.altair_chart(alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("saved:T", title="saved", axis=alt.Axis(format="%d %b %H:%M", labelAngle=0)),
        y=alt.Y("score:Q", title=y_title, scale=alt.Scale(domain=[0, 10])),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["saved:T", "measure:N", "score:Q"]), width="stretch")


st.header("Pain")
chart({"Pain now": [h.summary.get("pain_now") for h in history],
       "Worst pain of the week": [h.summary.get("pain_worst_week") for h in history]},
      "pain (0-10)")

activities = list(dict.fromkeys(name for h in history for name in (h.summary.get("psfs") or {})))
st.header("Your activities (PSFS)")
if activities:
    chart({name: [(h.summary.get("psfs") or {}).get(name) for h in history] for name in activities},
          "0 = unable, 10 = as before")
else:
    st.write("No activities were named. You can name up to three when you save a screening.")

drills = catalogue().drills
st.header("Your plan over time")
st.dataframe(pd.DataFrame([{
    "saved": h.created_at.strftime("%Y-%m-%d %H:%M"), "record": h.record_id,
    "kind": KIND_WORDS.get(h.kind, h.kind), "triage": LEVEL_WORDS[h.triage],
    "plan": ", ".join(f"{drills[p['drill']].name} ({p['side']})" for p in h.summary.get("plan") or [])
            or "no drills",
    "worse": ", ".join(h.summary.get("worse") or []) or "-",
} for h in history]), hide_index=True)

st.header("Every decision, with its reason")
checkins = [h for h in history if h.kind == "checkin"]
if not checkins:
    st.write("No check-in yet.")
for h in reversed(checkins):
    with st.expander(f"Check-in of {h.created_at:%Y-%m-%d} (record {h.record_id}): "
                     f"{LEVEL_WORDS[h.triage]}", expanded=h is checkins[-1]):
        for d in h.summary.get("decisions") or []:
            st.markdown(f"- **{md(drills[d['drill']].name)}: {DECISION_WORDS[d['decision']]}.** "
                        f"{md(d['text'])}")
