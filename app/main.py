"""The hipscreen app's entry file: page setup and navigation only. Start it with `hipscreen app`.

Every run starts here, whatever page the address names: first the Host check (a request for any
other name than this server's gets one line and nothing else), then a `?token=` in the address
signs this browser in (access.py), then the page runs."""

import streamlit as st

from hipscreen.app import access

# an emoji favicon is drawn in the browser; a :material/...: one is fetched from Google's servers
st.set_page_config(page_title="hipscreen - hip and low back screening", page_icon="🩺",
                   layout="wide")
access.check_host()
access.sign_in_from_address()
st.navigation([
    st.Page("pages/self_screening.py", title="Self-screening",
            icon=":material/accessibility_new:", default=True),
    st.Page("pages/clinician_intake.py", title="Clinician intake", icon=":material/stethoscope:"),
    st.Page("pages/result.py", title="Result", icon=":material/assignment:"),
    st.Page("pages/checkin.py", title="Check-in", icon=":material/event_available:"),
    st.Page("pages/progress.py", title="Progress", icon=":material/monitoring:"),
    st.Page("pages/queue.py", title="Clinic queue", icon=":material/format_list_numbered:"),
    st.Page("pages/case_lab.py", title="Case lab", icon=":material/science:"),
    st.Page("pages/knowledge.py", title="Knowledge", icon=":material/menu_book:"),
]).run()
