"""The app in two languages (issue 21), with streamlit.testing.v1.AppTest: the language comes
from the address (`?lang=es`) and nothing else, every run sets it before drawing, an unknown
code reads as English, and changing the language keeps the answers given."""

import pytest
from streamlit.testing.v1 import AppTest

from hipscreen.app import language
from hipscreen.i18n import SOURCE_LANGUAGE, current_language, read_catalogue, set_language

from .app_pages import APP, TIMEOUT, texts


@pytest.fixture(autouse=True)
def english_afterwards():
    """AppTest formats a widget's options in the test's own thread (it calls the widget's
    format_func here to send the next value), so the tests set the language of this thread
    too, as the app does in its own; English again afterwards for the other tests."""
    yield
    set_language(SOURCE_LANGUAGE)


def choose(at: AppTest, lang: str) -> AppTest:
    """Pick `lang` in the app's language choice (and in this thread, see above)."""
    language_choice(at).set_value(lang).run()  # the widgets on screen are still in the old one
    set_language(lang)
    assert not at.exception, at.exception
    return at


def opened(lang: str | None = None) -> AppTest:
    """A new browser session, at `?lang=<lang>` when given."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if lang is not None:
        at.query_params[language.PARAM] = lang
    set_language(lang if lang in language.LANGUAGES else SOURCE_LANGUAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def headers(at: AppTest) -> list[str]:
    return [h.value for h in at.header]


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def language_choice(at: AppTest):
    return at.sidebar.radio(key=language.CHOICE_KEY)


def test_the_first_step_reads_in_spanish_with_lang_es():
    at = opened("es")
    assert headers(at) == ["Primero, su seguridad"]
    assert [t.value for t in at.title] == ["Autoevaluación"]
    assert "Empezar de nuevo" in buttons(at)
    assert at.number_input(key="self:age").label == "Su edad en años"
    assert "Paso 1 de" in at.get("progress")[0].proto.text
    at.number_input(key="self:age").set_value(34).run()
    assert "Siguiente" in buttons(at) and "Next" not in buttons(at)
    # the choice itself is offered on the page, in its own words, set to the address's
    choice = language_choice(at)
    assert choice.label == "Idioma" and choice.value == "es"
    assert list(choice.options) == ["English", "Español"]
    assert at.query_params[language.PARAM] in ("es", ["es"])  # kept in the address


def test_the_page_tells_the_browser_its_language():
    bodies = [e.proto.body for e in opened("es").get("html")]
    assert any('document.documentElement.lang = "es"' in b for b in bodies)
    bodies = [e.proto.body for e in opened().get("html")]
    assert any('document.documentElement.lang = "en"' in b for b in bodies)


def test_a_stop_in_spanish_reads_in_spanish():
    at = opened("es")
    at.number_input(key="self:age").set_value(52).run()
    at.checkbox(key="self:safety.saddle_numbness").check().run()
    assert not at.exception, at.exception
    assert "next" not in [b.key for b in at.button], "the screening must stop here"
    errors = " ".join(e.value for e in at.error)
    assert "**Qué hacer: " in errors
    assert "En este nivel no se dan ejercicios." in errors
    assert "La evaluación se ha parado" in errors
    assert "Actúe ahora, por favor. La evaluación se para aquí y no da ejercicios." in texts(at)
    assert "Qué decirles" in [s.value for s in at.subheader]
    assert at.session_state["result"].triage.level == "emergency"
    # the result page of the stop, in Spanish too
    at.switch_page("pages/result.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Su resultado"]
    assert "Qué decirles" in headers(at)
    assert [b.label for b in at.download_button] == ["Qué hacer ahora (PDF)"]


def test_the_language_survives_a_step_and_a_page_change():
    at = opened("es")
    at.number_input(key="self:age").set_value(34).run()
    click(at, "next")
    assert headers(at) == ["Más preguntas de salud"]
    assert "Atrás" in buttons(at) and "Siguiente" in buttons(at)
    at.switch_page("pages/result.py").run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Su resultado"]
    assert "Todavía no hay resultado en esta sesión del navegador" in texts(at)


def test_an_unknown_language_falls_back_to_english_without_a_traceback():
    at = opened("xx")
    assert headers(at) == ["Safety first"]
    assert "Start again" in buttons(at)
    assert language_choice(at).value == "en"
    assert language.PARAM not in at.query_params, "an unknown code leaves the address"
    at = opened()
    assert headers(at) == ["Safety first"] and language_choice(at).value == "en"


def test_changing_the_language_keeps_the_answers_given():
    at = opened()
    at.number_input(key="self:age").set_value(41).run()
    click(at, "next")
    at.checkbox(key="self:safety.pregnant").check().run()
    assert headers(at) == ["More health questions"]
    choose(at, "es")
    assert headers(at) == ["Más preguntas de salud"], "the same step, now in Spanish"
    assert at.checkbox(key="self:safety.pregnant").value is True
    click(at, "back")
    assert headers(at) == ["Primero, su seguridad"]
    assert at.number_input(key="self:age").value == 41
    choose(at, "en")
    assert headers(at) == ["Safety first"] and at.number_input(key="self:age").value == 41


def test_a_result_follows_a_change_of_language(rich_intake):
    """The result held in the session is screened again from its intake in the new language."""
    from hipscreen.knowledge.intake import Intake
    from hipscreen.screening import screen

    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["result"] = screen(Intake.model_validate(rich_intake))
    at.session_state["result_from"] = "self"
    at.run()
    at.switch_page("pages/result.py").run()
    before = at.session_state["result"]
    assert [t.value for t in at.title] == ["Your result"] and "Your plan" in headers(at)
    choose(at, "es")
    assert [t.value for t in at.title] == ["Su resultado"] and "Su plan" in headers(at)
    after = at.session_state["result"]
    assert after is not before and after.intake == before.intake
    assert after.triage.level == before.triage.level


def test_the_catalogue_has_every_message_the_app_asks_for():
    """Every `_("...")` and `N_("...")` written in app/ has a Spanish translation with the same
    named placeholders."""
    import ast
    import re
    from pathlib import Path

    catalogue = read_catalogue("es", "app")
    assert catalogue is not None
    assert catalogue.plural_forms.startswith("nplurals=2")
    app_dir = Path(APP).parent
    missing, wrong = [], []
    for path in sorted(app_dir.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("_", "N_") and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            text = node.args[0].value
            context = next((k.value.value for k in node.keywords if k.arg == "context"), None)
            message = catalogue.get(text, context=context)
            if message is None or not message.string:
                missing.append(f"{path.name}:{node.lineno}: {text!r}")
                continue
            names = set(re.findall(r"\{(\w+)\}", text))
            if set(re.findall(r"\{(\w+)\}", message.string)) != names:
                wrong.append(f"{path.name}:{node.lineno}: {text!r}")
    assert not missing, "\n".join(missing)
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)
    assert current_language() in ("en", "es")


def test_a_check_in_reads_in_spanish(db):
    """The check-in, signed in, in Spanish: its sections, its button, the review, the save."""
    from hipscreen.app import access
    from hipscreen.records import RecordStore
    from hipscreen.screening import screen

    from .records_helpers import HINGE

    RecordStore(db).save_screening(screen(HINGE), person="lifter-1", psfs={"deadlift": 6})
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params[language.PARAM] = "es"
    at.session_state[access.SIGNED_IN_KEY] = True
    set_language("es")
    at.run()
    at.switch_page("pages/checkin.py").run()
    assert not at.exception, at.exception
    at.text_input(key="ci:label").set_value("lifter-1").run()
    assert headers(at)[:4] == ["Primero, su seguridad", "Dolor", "Sus actividades",
                               "Sus ejercicios"]
    at.checkbox(key="ci:tried.single_leg_hip_hinge").check().run()
    at.slider(key="ci:pain_during.single_leg_hip_hinge").set_value(6)
    next(b for b in at.button if b.label == "Revisar mi seguimiento").click().run()
    assert not at.exception, at.exception
    assert "Lo que dice la revisión" in headers(at)
    assert "Ejercicio por ejercicio" in [s.value for s in at.subheader]
    at.button(key="save_checkin").click().run()
    assert "Guardado como registro 2." in texts(at)
