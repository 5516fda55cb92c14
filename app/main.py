"""The hipscreen app's entry file: page setup and navigation only. Start it with `hipscreen app`.

Every run starts here, whatever page the address names: first the Host check (a request for any
other name than this server's gets one line and nothing else), then a `?token=` in the address
signs this browser in (access.py), then the page runs. The language (`?lang=`, app/language.py)
is set before anything is drawn, so every word of the run follows it."""

import streamlit as st

from hipscreen.app import access, language
from hipscreen.i18n import _

language.choose()  # before any word: the address's language, else English
# an emoji favicon is drawn in the browser; a :material/...: one is fetched from Google's servers
st.set_page_config(page_title=_("hipscreen - hip and low back screening"), page_icon="🩺",
                   layout="wide")
access.check_host()
access.sign_in_from_address()
st.navigation([
    st.Page("pages/self_screening.py", title=_("Self-screening"),
            icon=":material/accessibility_new:", default=True),
    st.Page("pages/clinician_intake.py", title=_("Clinician intake"), icon=":material/stethoscope:"),
    st.Page("pages/result.py", title=_("Result"), icon=":material/assignment:"),
    st.Page("pages/checkin.py", title=_("Check-in"), icon=":material/event_available:"),
    st.Page("pages/progress.py", title=_("Progress"), icon=":material/monitoring:"),
    st.Page("pages/queue.py", title=_("Clinic queue"), icon=":material/format_list_numbered:"),
    st.Page("pages/case_lab.py", title=_("Case lab"), icon=":material/science:"),
    st.Page("pages/knowledge.py", title=_("Knowledge"), icon=":material/menu_book:"),
]).run()
