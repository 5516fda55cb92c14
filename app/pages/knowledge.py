"""Knowledge browser: the rules, findings, deficits, drills, red flags, precautions and
self-tests the screen reasons with, searchable."""

from __future__ import annotations

import streamlit as st

from hipscreen.app import presentation as pr
from hipscreen.app import widgets
from hipscreen.app.plain import md, quoted

widgets.page_header("Knowledge", "Everything the screen knows and how it reasons, each with its "
                                 "source. Search matches every word you type, in any column.")
query = st.text_input("Search the knowledge", key="knowledge_query",
                      placeholder="e.g. hinge, pregnancy, cauda equina")
tables = pr.knowledge_tables()
shown = {name: pr.filter_table(table, query) for name, table in tables.items()}
tabs = st.tabs([f"{name} ({len(shown[name])})" for name in tables])
for tab, (name, table) in zip(tabs, shown.items(), strict=True):
    with tab:
        if table.empty:
            st.write(f"No {name.lower()} match {quoted(query)}.")
            continue
        st.caption("A long text is cut short in the table: pick a row (the box at its left) to "
                   "read it in full below.")
        picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key=f"knowledge_table_{name}")
        rows = picked.selection.rows if picked is not None else []
        if rows and rows[0] < len(table):
            row = table.iloc[rows[0]]
            with st.container(border=True, key=f"knowledge_row_{name.replace(' ', '_')}"):
                st.markdown("\n".join(f"- **{md(column)}:** {md(value) or '-'}"
                                       for column, value in row.items()))
