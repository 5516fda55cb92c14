"""Who gets a page and who sees records, with AppTest (no browser; tests/test_records_browser.py
does the same in real Chromium): the sign-in page, the one-time token and its cookie, the Host
check, the case lab's folders, a person's words drawn as text, the check-in that a PSFS problem
never blocks, and the Progress page that reads a page of records at a time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from hipscreen import screen
from hipscreen.app import access, launch
from hipscreen.app.plain import md
from hipscreen.records import RecordStore

from .app_pages import APP, TIMEOUT, app, shown, texts
from .records_helpers import HINGE, RECORD_PAGES

IMAGE = "![t](http://other-host.test/p.png)"
COLOUR = ":red[x]"


@pytest.fixture
def token(monkeypatch) -> str:
    """A fresh token, as `hipscreen app` hands it to the Streamlit process."""
    value = secrets.token_urlsafe(32)
    monkeypatch.setenv(launch.TOKEN_ENV, value)
    return value


def opened(page: str | None = None, *, params: dict[str, str] | None = None) -> AppTest:
    """A new browser session: the app opened at `page` (with `params` in the address)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def signed_in_page(at: AppTest) -> bool:
    return not any(h.value == "Sign in to see records" for h in at.header)


# -- the sign-in page -----------------------------------------------------------------------------
@pytest.mark.parametrize("page", RECORD_PAGES)
def test_a_record_page_shows_only_the_sign_in_page_to_a_browser_not_signed_in(db, token, page):
    RecordStore(db).save_screening(screen(HINGE), person="secret-person-1")
    at = opened(page)
    assert "Sign in to see records" in [h.value for h in at.header]
    page_text = texts(at)
    assert "?token=" in page_text and "hipscreen app" in page_text
    assert "secret-person-1" not in page_text
    assert not at.text_input and not at.dataframe and not at.selectbox, "nothing of the page"


def test_without_a_token_the_sign_in_page_says_to_start_with_hipscreen_app(db, monkeypatch):
    monkeypatch.delenv(launch.TOKEN_ENV, raising=False)
    at = opened("pages/queue.py", params={"token": "anything"})
    assert not signed_in_page(at)
    assert "not started with `hipscreen app`" in " ".join(i.value for i in at.info)


def test_saving_a_result_needs_a_signed_in_browser(db, token):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["result"] = screen(HINGE)
    at.session_state["result_from"] = "self"
    at.run()
    at.switch_page("pages/result.py").run()
    assert any("needs this browser to be signed in" in i.value for i in at.info)
    assert not any(b.label == "Save" for b in at.button)
    assert not db.exists()


def test_self_screening_needs_no_sign_in(token):
    at = opened()
    assert at.number_input(key="self:age") is not None
    assert signed_in_page(at)


# -- the token ------------------------------------------------------------------------------------
def test_the_printed_address_signs_in_once_and_leaves_the_address(db, token):
    RecordStore(db).save_screening(screen(HINGE), person="secret-person-1")
    first = opened(params={"token": token})
    assert "token" not in first.query_params, "the token is taken out of the address"
    assert first.session_state[access.SIGNED_IN_KEY] is True
    first.switch_page("pages/queue.py").run()
    assert signed_in_page(first)
    assert first.dataframe[0].value["person"].tolist() == ["secret-person-1"]

    again = opened("pages/queue.py", params={"token": token})
    assert "token" not in again.query_params
    assert not signed_in_page(again), "a token signs in one browser only"
    assert "used already" in " ".join(w.value for w in again.warning)
    assert "secret-person-1" not in texts(again)


def test_a_wrong_token_signs_nobody_in_and_leaves_the_right_one_usable(db, token):
    wrong = opened("pages/queue.py", params={"token": token[:-1] + ("A" if token[-1] != "A"
                                                                    else "B")})
    assert not signed_in_page(wrong)
    right = opened("pages/queue.py", params={"token": token})
    assert signed_in_page(right)


def test_the_cookie_holds_an_hmac_of_the_server_secret_never_the_token(db, token):
    at = opened(params={"token": token})
    written = " ".join(h.proto.body for h in at.get("html") if "document.cookie" in h.proto.body)
    value = hmac.new(access._SECRET, b"hipscreen: this browser may see records",
                     hashlib.sha256).hexdigest()
    port = config.get_option("server.port")
    assert f"document.cookie = 'hipscreen_signin_{port}={value}; Path=/;" in written
    assert "SameSite=Strict" in written
    assert token not in written


def test_a_browser_that_sends_the_cookie_is_signed_in(db, token, monkeypatch):
    RecordStore(db).save_screening(screen(HINGE), person="secret-person-1")
    monkeypatch.setattr(access, "request_cookies",
                        lambda: {access.cookie_name(): access.cookie_value()})
    assert signed_in_page(opened("pages/queue.py"))
    monkeypatch.setattr(access, "request_cookies",
                        lambda: {access.cookie_name(): "0" * 64})
    assert not signed_in_page(opened("pages/queue.py"))
    monkeypatch.setattr(access, "request_cookies",
                        lambda: {access.cookie_name() + "1": access.cookie_value()})
    assert not signed_in_page(opened("pages/queue.py")), "another port's cookie"


def test_off_this_computer_the_token_does_not_sign_in(db, token, served_everywhere):
    at = opened("pages/queue.py", params={"token": token})
    assert [e.value for e in at.error][0].startswith("Records are off")
    assert access.SIGNED_IN_KEY not in at.session_state


def test_hipscreen_app_prints_the_address_and_hands_the_token_over_privately(monkeypatch,
                                                                              capsys):
    started = {}

    class Started(Exception):
        pass

    def execv(path, args):  # what the process would become: recorded, never started
        started.update(args=args, token=launch.os.environ[launch.TOKEN_ENV])
        raise Started

    monkeypatch.delenv(launch.TOKEN_ENV, raising=False)
    monkeypatch.setattr(launch.os, "name", "posix")
    monkeypatch.setattr(launch.os, "execv", execv)
    monkeypatch.setattr(launch.subprocess, "call", execv)
    with pytest.raises(Started):
        launch.run(8765)
    out = capsys.readouterr().out
    token = started["token"]
    assert len(token) >= 40
    assert f"http://127.0.0.1:8765/?token={token}" in out
    assert not any(token in arg for arg in started["args"]), "never on the command line"
    assert "--logger.hideWelcomeMessage" in started["args"], "no second address without it"


# -- the Host header ------------------------------------------------------------------------------
@pytest.mark.parametrize("header, name", [
    ("127.0.0.1:8501", "127.0.0.1"), ("LOCALHOST:8501", "localhost"), ("[::1]:8501", "[::1]"),
    ("localhost", "localhost"), ("evil.test:8501", "evil.test"), ("::1", "::1"),
    ("127.0.0.1.evil.test", "127.0.0.1.evil.test")])
def test_host_name_of_a_host_header(header, name):
    assert access.host_name(header) == name


def with_host(monkeypatch, host: str | None) -> None:
    headers = {"Host": host} if host is not None else {"User-Agent": "test"}
    monkeypatch.setattr(access, "request_headers", lambda: headers)


@pytest.mark.parametrize("page", [None, *RECORD_PAGES, "pages/case_lab.py"])
@pytest.mark.parametrize("host", ["evil.test:8501", "localhost.:8501", "127.0.0.2:8501", None])
def test_another_host_name_gets_no_page(db, monkeypatch, page, host):
    RecordStore(db).save_screening(screen(HINGE), person="secret-person-1")
    with_host(monkeypatch, host)
    at = app(page, signed_in=True)
    assert [e.value for e in at.error] == [
        f"This app answers only at http://127.0.0.1:{config.get_option('server.port')}/ "
        "(or localhost)."]
    assert not at.title and not at.header and not at.text_input and not at.dataframe
    assert "secret-person-1" not in texts(at)


@pytest.mark.parametrize("host", ["127.0.0.1:8501", "localhost:8501", "[::1]:8501"])
def test_this_computer_names_get_the_page(db, monkeypatch, host):
    with_host(monkeypatch, host)
    at = app("pages/queue.py", signed_in=True)
    assert [t.value for t in at.title] == ["Clinic queue"]


def test_a_public_name_is_served_only_when_configured_and_not_bound_here(monkeypatch,
                                                                        served_everywhere):
    with_host(monkeypatch, "hipscreen.clinic.example")
    assert not app().title, "not configured"
    monkeypatch.setenv(access.PUBLIC_HOST_ENV, "other.example, HIPSCREEN.clinic.example:443")
    assert [t.value for t in app().title] == ["Self-screening"]
    config.set_option("server.address", "127.0.0.1")
    assert not app().title, "bound to this computer: only its own names"


# -- the case lab ---------------------------------------------------------------------------------
def test_the_case_lab_reads_a_typed_folder_only_for_a_signed_in_browser_here(token):
    assert not any(t.key == "case_folder" for t in app("pages/case_lab.py").text_input)
    assert "sign in" in texts(app("pages/case_lab.py")).lower()
    assert any(t.key == "case_folder" for t in app("pages/case_lab.py", signed_in=True).text_input)


def test_off_this_computer_the_case_lab_never_reads_a_typed_path(served_everywhere):
    at = app("pages/case_lab.py", signed_in=True)
    assert not any(t.key == "case_folder" for t in at.text_input)
    at.selectbox(key="case_pick").set_value("runner-right-shift").run()
    at.button(key="run_case").click().run()
    assert any(shown(s.value).startswith("**PASS: runner-right-shift**") for s in at.success)


# -- a person's words are text ------------------------------------------------------------------
def markdown_strings(at: AppTest) -> list[str]:
    """Every string of the page that Streamlit draws as Markdown: text elements, alerts, and
    the labels of widgets and expanders."""
    strings = [str(e.value) for kind in ("markdown", "header", "subheader", "title", "caption",
                                         "success", "info", "warning", "error")
               for e in getattr(at, kind)]
    strings += [e.label for e in at.expander]
    for kind in ("slider", "checkbox", "text_input", "selectbox", "multiselect", "number_input",
                 "button", "radio"):
        strings += [str(w.label) for w in getattr(at, kind)]
    return strings


def assert_no_markup(at: AppTest) -> None:
    for text in markdown_strings(at):
        assert "![" not in text and ":red[" not in text and "](http" not in text, text


def test_md_escapes_every_markup_and_reads_back_as_the_same_text():
    for text in (IMAGE, COLOUR, "**b** _i_ <b>h</b> $x$ `c` ~~s~~ # h :smile:",
                 "1. one", "- two", "a\\b", "http://x.test www.x.test a@x.test"):
        escaped = md(text)
        assert shown(escaped) == text
        assert "![" not in escaped and ":red[" not in escaped and "**" not in escaped
    assert md("two\nlines\tand  spaces") == "two lines and spaces"


def test_a_persons_activities_and_notes_are_text_on_every_record_page(db, token):
    store = RecordStore(db)
    first = store.save_screening(screen(HINGE), person="p-1", psfs={IMAGE: 6, COLOUR: 5})
    store.set_status(first, "reviewed", by="JS", note=f"see {IMAGE} {COLOUR}")
    at = app("pages/checkin.py", signed_in=True)
    at.text_input(key="ci:label").set_value("p-1").run()
    sliders = [s.label for s in at.slider if s.key.startswith("ci:psfs_score_")]
    assert len(sliders) == 2
    assert all(shown(label).startswith(f"{name}: how well")
               for label, name in zip(sliders, (IMAGE, COLOUR), strict=True))
    at.slider(key="ci:psfs_score_0").set_value(2)
    at.button(key="review_checkin").click().run()
    assert not at.exception
    assert f"PSFS '{IMAGE}': 6 -> 2" in texts(at)
    assert_no_markup(at)
    at.button(key="save_checkin").click().run()

    progress = app("pages/progress.py", signed_in=True)
    progress.text_input(key="progress:label").set_value("p-1").run()
    assert_no_markup(progress)

    queue = app("pages/queue.py", signed_in=True)
    queue.selectbox(key="queue:open").set_value(first).run()
    assert_no_markup(queue)
    (log,) = [d.value for d in queue.dataframe if "details" in d.value.columns]
    assert f"note: see {IMAGE} {COLOUR}" in " ".join(log["details"]), "a table cell: plain text"
    queue.selectbox(key="queue:open").set_value(first + 1).run()
    assert_no_markup(queue)
    assert IMAGE in texts(queue)


def test_a_search_for_markup_is_shown_as_text():
    at = app("pages/knowledge.py")
    at.text_input(key="knowledge_query").set_value(f"zzz {IMAGE}").run()
    assert_no_markup(at)
    assert IMAGE in texts(at)


# -- the check-in is always reachable -------------------------------------------------------------
def six_activities(store: RecordStore) -> None:
    """A screening with three activities, then a check-in (as from the command line) that names
    three new ones: the person's record now holds six."""
    store.save_screening(screen(HINGE), person="p-6", psfs={"deadlift": 6, "golf": 5, "run": 4})
    store.check_in({"safety": {}, "pain_now": 2, "pain_worst_week": 4,
                    "psfs": {"squat": 5, "stairs": 6, "sitting": 7}}, person="p-6")


def test_more_activities_than_a_checkin_scores_leave_the_safety_review_open(db, token):
    store = RecordStore(db)
    six_activities(store)
    at = app("pages/checkin.py", signed_in=True)
    at.text_input(key="ci:label").set_value("p-6").run()
    assert [h.value for h in at.header][:2] == ["Safety first", "Pain"]
    assert "6 activities" in texts(at)
    assert at.multiselect(key="ci:psfs_pick").value == ["squat", "stairs", "sitting"]
    assert len([s for s in at.slider if s.key.startswith("ci:psfs_score_")]) == 3
    at.checkbox(key="ci:safety.saddle_numbness").check()
    at.button(key="review_checkin").click().run()
    assert not at.exception
    assert "What to do: EMERGENCY" in texts(at)
    assert not any("at most 3" in e.value for e in at.error)


def test_a_psfs_problem_is_shown_beside_the_review_never_instead_of_it(db, token):
    RecordStore(db).save_screening(screen(HINGE), person="p-7")
    at = app("pages/checkin.py", signed_in=True)
    at.text_input(key="ci:label").set_value("p-7").run()
    at.text_input(key="ci:psfs_name_0").set_value("deadlift")
    at.text_input(key="ci:psfs_name_1").set_value("Deadlift")
    at.checkbox(key="ci:safety.fever_or_unwell").check()
    at.button(key="review_checkin").click().run()
    assert not at.exception
    page = texts(at)
    assert "What the review says" in [h.value for h in at.header]
    assert "What to do: URGENT" in page
    assert "Your activities are left out of this review" in page
    assert "Review my check-in" in page and "psfs" in page
    at.button(key="save_checkin").click().run()
    assert [h.kind for h in RecordStore(db).history("p-7")] == ["screening", "checkin"]


# -- progress, a page at a time -------------------------------------------------------------------
def test_progress_draws_the_newest_records_and_reads_older_ones_when_asked(db, token):
    store = RecordStore(db)
    result = screen(HINGE)
    for _ in range(120):
        store.save_screening(result, person="p-many")
    at = app("pages/progress.py", signed_in=True)
    at.text_input(key="progress:label").set_value("p-many").run()
    table = at.table[0].value
    assert len(table) == 50 and table["Record"].tolist() == list(range(71, 121))
    assert "Showing the newest 50 of 120 records." in texts(at)
    at.button(key="progress:older").click().run()
    assert len(at.table[0].value) == 100
    at.button(key="progress:older").click().run()
    assert at.table[0].value["Record"].tolist() == list(range(1, 121))
    assert not any(b.key == "progress:older" for b in at.button), "nothing older left"
