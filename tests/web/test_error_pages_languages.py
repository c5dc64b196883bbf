"""The product's own 404, 403 and 500 pages say what happened in the reader's language (issue 7).

The Italian and Chinese catalogs once carried, for these pages, the translations of the
strings they were copied from ("Problems found", "This store has nothing for sale yet.",
"Back to the cart", "Your account is not staff of any company yet."), so a missing page in
Italian read "Problemi rilevati"; the last test keeps such copied translations out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.test import Client

pytestmark = pytest.mark.django_db

LOCALE_DIR = Path(__file__).resolve().parents[2] / "src" / "fiera" / "locale"

NOT_FOUND = {
    "en": ("Not found", "This page does not exist", "Back to the marketplaces"),
    "it": ("Pagina non trovata", "Questa pagina non esiste", "Torna ai marketplace"),
    "zh-hans": ("页面未找到", "此页面不存在", "返回商城"),
    "es": ("No encontrado", "Esta página no existe", "Volver a los mercados"),
}
DENIED = {
    "en": ("Not allowed", "Your account cannot open this page."),
    "it": ("Non consentito", "Il tuo account non può aprire questa pagina."),
    "zh-hans": ("无权访问", "您的账号无法打开此页面。"),
    "es": ("No permitido", "Tu cuenta no puede abrir esta página."),
}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", sorted(NOT_FOUND))
def test_a_missing_page_says_so_in_the_readers_language(language: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/no-such-page/")
    assert response.status_code == 404
    text = _text(response.content.decode())
    for phrase in NOT_FOUND[language]:
        assert phrase in text, (language, phrase)
    for wrong in (
        "Problemi rilevati",
        "nulla in vendita",
        "Torna al carrello",
        "发现的问题",
        "返回购物车",
    ):
        assert wrong not in text


@pytest.mark.urls("tests.web.test_errors_offline")
@pytest.mark.parametrize("language", sorted(DENIED))
def test_a_denied_page_says_so_in_the_readers_language(language: str) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/forbidden/")
    assert response.status_code == 403
    text = _text(response.content.decode())
    heading, reason = DENIED[language]
    assert heading in text and reason in text, (language, text[:400])
    assert "staff" not in text and "公司" not in text


SERVER_ERROR = {
    "en": ("Something went wrong", "Back to Fiera"),
    "it": ("Si è verificato un errore", "Torna a Fiera"),
    "zh-hans": ("出错了", "返回 Fiera"),
    "es": ("Algo salió mal", "Volver a Fiera"),
}


@pytest.mark.urls("tests.web.test_errors_offline")
@pytest.mark.parametrize("language", sorted(SERVER_ERROR))
def test_a_server_error_says_so_in_the_readers_language(language: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for phrase in SERVER_ERROR[language]:
        assert phrase in _text(html), (language, phrase)
    assert "Traceback" not in html and "RuntimeError" not in html


def _entries(language: str) -> list[tuple[str, str, list[str]]]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalog = read_po(po)
    found = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        msgstr = message.string[0] if isinstance(message.string, tuple) else message.string
        found.append((msgid, msgstr, list(message.user_comments)))
    return found


# Chinese uses one word for both of these pairs, so the copy is right there.
SAME_WORD = {
    ("zh_Hans", "Adjusted"),
    ("zh_Hans", "Point of sale"),
    ("zh_Hans", "Payments"),
    ("zh_Hans", "Pay"),
}


@pytest.mark.parametrize("language", ["it", "zh_Hans", "es"])
def test_no_translation_is_a_copy_of_the_wording_it_replaced(language: str) -> None:
    """An entry noted '# | msgid "<old wording>"' was made from another message: its
    translation must have been rewritten for the new wording, not kept as the old one's."""
    entries = _entries(language)
    translated = {msgid: msgstr for msgid, msgstr, _ in entries}
    copies = []
    for msgid, msgstr, comments in entries:
        for comment in comments:
            if not comment.startswith("| msgid "):
                continue
            old = comment[len("| msgid ") :].strip().strip('"')
            if translated.get(old) == msgstr and (language, msgid) not in SAME_WORD:
                copies.append(f"{msgid!r} kept the translation of {old!r}: {msgstr!r}")
    assert not copies, "\n".join(copies)
