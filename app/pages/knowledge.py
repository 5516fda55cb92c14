"""Knowledge browser: the rules, findings, deficits, drills, red flags, precautions and
self-tests the screen reasons with, searchable."""

from __future__ import annotations

import streamlit as st

from hipscreen.app import presentation as pr
from hipscreen.app import widgets
from hipscreen.app.plain import quoted

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
        else:
            st.dataframe(table, hide_index=True, width="stretch")
