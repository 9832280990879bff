"""Every message a person can see has its French, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po

from invoicer.server import i18n

ROOT = Path(__file__).parents[2]
_BROWSER_CALL = re.compile(r"""\bt\(\s*(['"])((?:\\.|(?!\1).)*)\1""")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def template_messages() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "web" / "templates"), method_map=[("**.html", "jinja2")],
        options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
    )
    return {message if isinstance(message, str) else message[0]
            for _file, _line, message, _comments, _context in found}


def python_messages() -> set[str]:
    messages: set[str] = set()
    for module in ("i18n.py", "pages.py"):
        with (ROOT / "invoicer" / "server" / module).open("rb") as source:
            messages.update(found[1] for found in extract("python", source, keywords={"N_": None}))
    return messages


def browser_calls() -> set[str]:
    calls: set[str] = set()
    for module in (ROOT / "web" / "src").rglob("*.js"):
        calls.update(match.group(2).replace("\\'", "'")
                     for match in _BROWSER_CALL.finditer(module.read_text()))
    return calls


def problem_messages() -> set[str]:
    # Each problem of a draft, by its code: the pages send them translated (i18n.py).
    return set(i18n.PROBLEM_MESSAGES.values())


def french() -> dict[str, object]:
    with (i18n.LOCALES_DIR / "fr.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="fr")
    return {message.id if isinstance(message.id, str) else message.id[0]: message.string
            for message in catalog if message.id}


def test_every_message_of_the_browser_modules_is_sent_by_the_pages():
    # The modules translate with t(); what is not in BROWSER_MESSAGES stays English.
    assert browser_calls() - set(i18n.BROWSER_MESSAGES) == set()


def test_every_message_has_its_french():
    catalog = french()
    wanted = (template_messages() | python_messages() | set(i18n.BROWSER_MESSAGES)
              | problem_messages())
    missing = sorted(message for message in wanted if not catalog.get(message))
    assert missing == []


def test_french_keeps_the_placeholders_of_the_english():
    for message, translation in french().items():
        texts = translation if isinstance(translation, tuple) else (translation,)
        for text in texts:
            assert sorted(_PLACEHOLDER.findall(text)) == sorted(_PLACEHOLDER.findall(message)), (
                message)


def test_the_catalog_holds_no_message_that_nothing_shows():
    used = (template_messages() | python_messages() | set(i18n.BROWSER_MESSAGES)
            | problem_messages())
    assert sorted(set(french()) - used) == []


def test_every_problem_code_is_sent_to_the_pages_in_french():
    messages = i18n.problem_messages("fr")
    assert set(messages) == set(i18n.PROBLEM_MESSAGES)
    assert messages["not_a_number"] == "«\u00a0{value}\u00a0» n’est pas un nombre"
    assert all(messages[code] != english for code, english in i18n.PROBLEM_MESSAGES.items())
