"""Session-state keys more than one page reads."""

RESULT_KEY = "result"
"""The Result on screen: set by the self-screening and the clinician intake, read by the result."""
