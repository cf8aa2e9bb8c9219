"""The text catalogues: same keys in both languages, every text fills and escapes."""

from __future__ import annotations

import string

from bot.texts import CATALOGUES, EN, ID, language_of, text
from tests.fake_telegram import parse_telegram_html


def test_both_languages_have_the_same_keys():
    assert set(ID) == set(EN)


def test_every_text_is_valid_telegram_html_with_any_values():
    for language, catalogue in CATALOGUES.items():
        for key, template in catalogue.items():
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            rendered = text(language, key, **{name: '<b>&"x' for name in names})
            shown = parse_telegram_html(rendered)
            if names:
                assert '<b>&"x' in shown, (language, key)


def test_language_follows_telegram_language():
    assert language_of("en-GB") == "en"
    assert language_of("id") == "id"
    assert language_of(None) == "id"
    assert language_of("ms") == "id"
