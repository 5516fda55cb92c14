"""Knowledge browser: the rules, findings, deficits, drills, red flags, precautions and
self-tests the screen reasons with, searchable."""

from __future__ import annotations

import streamlit as st

from hipscreen.app import language, widgets
from hipscreen.app.catalogue_tables import filter_table, knowledge_tables
from hipscreen.app.plain import md, quoted
from hipscreen.i18n import _

language.choose()  # first: a page may run without app/main.py (AppTest, a first URL)

widgets.page_header(_("Knowledge"), _("Everything the screen knows and how it reasons, each with "
                                      "its source. Search matches every word you type, in any "
                                      "column."))
query = st.text_input(_("Search the knowledge"), key="knowledge_query",
                      placeholder=_("e.g. hinge, pregnancy, cauda equina"))
tables = knowledge_tables()
shown = {name: filter_table(table, query) for name, table in tables.items()}
tabs = st.tabs([f"{_(name)} ({len(shown[name])})" for name in tables])
for tab, (name, table) in zip(tabs, shown.items(), strict=True):
    with tab:
        if table.empty:
            st.write(_("No {what} match {query}.", what=_(name).lower(), query=quoted(query)))
            continue
        st.caption(_("A long text is cut short in the table: pick a row (the box at its left) to "
                     "read it in full below."))
        picked = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                              selection_mode="single-row", key=f"knowledge_table_{name}")
        rows = picked.selection.rows if picked is not None else []
        if rows and rows[0] < len(table):
            row = table.iloc[rows[0]]
            with st.container(border=True, key=f"knowledge_row_{name.replace(' ', '_')}"):
                st.markdown("\n".join(f"- **{md(column)}:** {md(value) or '-'}"
                                       for column, value in row.items()))
