"""Progress: a person's pain and PSFS over time, the plan's history, and every decision of every
check-in with its reason, from their saved records.

Only the newest records are read and drawn (a page of the store's history, `history_page`), so a
person with thousands of check-ins sees the first view at once; "Show older records" reads more."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from hipscreen.app import language, records_ui, widgets
from hipscreen.app.plain import md
from hipscreen.app.questions import side_name
from hipscreen.i18n import N_, _
from hipscreen.knowledge.catalogue import catalogue
from hipscreen.review import DECISION_WORDS
from hipscreen.words import LEVEL_WORDS

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

KIND_WORDS = {"screening": N_("Screening"), "revision": N_("Clinician revision"),
              "checkin": N_("Check-in")}
PAGE = 50  # records read and drawn at first, and added by each "Show older records"
SHOWN_KEY = "progress:shown"


def show_more(label: str) -> None:
    shown = st.session_state.get(SHOWN_KEY)
    count = shown[1] if shown and shown[0] == label else PAGE
    st.session_state[SHOWN_KEY] = (label, count + PAGE)


widgets.page_header(_("Your progress"), _("Pain and the activities you named, record by record, "
                                          "and what each check-in changed in your plan."))
records_ui.require_records_access()

label = st.text_input(_("Your label"), key="progress:label", max_chars=60)
if not label.strip():
    st.stop()
shown = st.session_state.get(SHOWN_KEY)
limit = shown[1] if shown and shown[0] == label.strip() else PAGE
page = records_ui.read_or_stop(lambda: records_ui.store().history_page(label, limit=limit))
history = page.rows
if not history:
    st.info(_("Nothing is saved under this label."), icon=":material/search_off:")
    st.stop()
if page.before is not None:
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.caption(_("Showing the newest {count} of {total} records.", count=len(history),
                   total=page.total))
    right.button(_("Show older records"), key="progress:older", on_click=show_more,
                 args=(label.strip(),))

# Okabe-Ito colours (told apart with any colour vision), and each line also has its own point
# shape and dash, and its name written at its end: nothing is told by colour alone.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"]
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross"]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4]]


MONTHS = (N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"), N_("Jul"),
          N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"))
"""A month's short name for the chart's axis, in the page's language (never the server's
locale, which strftime's %b would read)."""


def month(when) -> str:
    return _(MONTHS[when.month - 1])


def record_dates() -> list[str]:
    """Each record's date for the axis, each one different: the day; the time too when a day
    has two records; and the record's number when a minute has two."""
    days = [f"{h.created_at:%d} {month(h.created_at)} {h.created_at:%Y}" for h in history]
    labels = [f"{h.created_at:%d} {month(h.created_at)} {h.created_at:%H:%M}"
              if days.count(day) > 1 else day
              for h, day in zip(history, days, strict=True)]
    return [f"{label} #{h.record_id}" if labels.count(label) > 1 else label
            for h, label in zip(history, labels, strict=True)]


def chart(columns: dict[str, list], y_title: str) -> None:
    """Scores over time, a point per record (one record is still one visible point), each
    line named in its own colour next to its last point."""
    dates = record_dates()
    names = list(columns)
    rows = [{"order": i, "date": dates[i], "measure": name, "score": values[i]}
            for name, values in columns.items() for i in range(len(history))
            if values[i] is not None]
    data = pd.DataFrame(rows, columns=["order", "date", "measure", "score"])
    if data.empty:
        return
    x = alt.X("date:O", title=_("Saved on"), sort=dates,
              axis=alt.Axis(labelAngle=0 if len(history) <= 3 else -40, labelLimit=160))
    y = alt.Y("score:Q", title=y_title, scale=alt.Scale(domain=[0, 10]))
    colours = alt.Scale(domain=names, range=PALETTE[:len(names)])
    lines = alt.Chart(data).mark_line(point={"filled": True, "size": 90}, strokeWidth=2.5).encode(
        x=x, y=y,
        color=alt.Color("measure:N", scale=colours, legend=None),
        shape=alt.Shape("measure:N", scale=alt.Scale(domain=names, range=SHAPES[:len(names)]),
                        legend=None),
        strokeDash=alt.StrokeDash("measure:N", legend=None,
                                  scale=alt.Scale(domain=names, range=DASHES[:len(names)])),
        tooltip=[alt.Tooltip("date:O", title=_("saved")),
                 alt.Tooltip("measure:N", title=_("what")),
                 alt.Tooltip("score:Q", title=_("score"))])
    layers = [lines]
    last = data.loc[data.groupby("measure")["order"].idxmax()].sort_values("score",
                                                                          ascending=False)
    placed: list[tuple[float, float]] = []  # (score, dy) of the names drawn so far
    for _row, point in last.iterrows():  # each line's name above its last point, never on another
        near = [dy for score, dy in placed if abs(score - point["score"]) < 2]
        dy = min(near) - 17 if near else -14
        placed.append((point["score"], dy))
        index = names.index(point["measure"])
        mine = alt.Chart(last[last["measure"] == point["measure"]])
        words = {"align": "right", "dx": -8, "dy": dy, "fontSize": 13, "fontWeight": "bold"}
        layers.append(mine.mark_text(**words, stroke="#ffffff", strokeWidth=5,  # a halo
                                     strokeJoin="round").encode(x=x, y=y, text="measure:N"))
        layers.append(mine.mark_text(**words, color=PALETTE[index % len(PALETTE)]).encode(
            x=x, y=y, text="measure:N"))
    st.altair_chart(alt.layer(*layers).properties(height=300), width="stretch")


st.header(_("Pain"))
chart({_("Pain now"): [h.summary.get("pain_now") for h in history],
       _("Worst pain of the week"): [h.summary.get("pain_worst_week") for h in history]},
      _("pain (0-10)"))

activities = list(dict.fromkeys(name for h in history for name in (h.summary.get("psfs") or {})))
st.header(_("Your activities (PSFS)"))
if activities:
    chart({name: [(h.summary.get("psfs") or {}).get(name) for h in history] for name in activities},
          _("0 = unable, 10 = as before"))
else:
    st.write(_("No activities were named. You can name up to three when you save a screening."))

drills = catalogue().drills
st.header(_("Your plan over time"))
# a table that wraps its text: the whole plan of each record is read, never cut off
SAVED = _("Saved")
st.table(pd.DataFrame([{
    SAVED: h.created_at.strftime("%Y-%m-%d %H:%M"), _("Record"): h.record_id,
    _("Kind"): _(KIND_WORDS.get(h.kind, h.kind)), _("What to do"): LEVEL_WORDS[h.triage],
    _("Plan"): ", ".join(f"{drills[p['drill']].name} ({side_name(p['side'])})"
                         for p in h.summary.get("plan") or []) or _("no drills"),
    _("Worse"): ", ".join(h.summary.get("worse") or []) or _("none"),
} for h in history]).set_index(SAVED))

st.header(_("Every decision, with its reason"))
checkins = [h for h in history if h.kind == "checkin"]
if not checkins:
    st.write(_("No check-in yet."))
for h in reversed(checkins):
    with st.expander(_("Check-in of {date} (record {number}): {level}",
                       date=h.created_at.strftime("%Y-%m-%d"), number=h.record_id,
                       level=LEVEL_WORDS[h.triage]), expanded=h is checkins[-1]):
        for d in h.summary.get("decisions") or []:
            st.markdown(f"- **{md(drills[d['drill']].name)}: {DECISION_WORDS[d['decision']]}.** "
                        f"{md(d['text'])}")
