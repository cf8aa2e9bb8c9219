"""The one lexicon (`bot.lexicon`): the files' aliases and rules plus the admins' stored ones,
rebuilt only when the store's `aliases_version` moves; and the store's context-rule queries."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.lexicon import NAME, PERSON, VARIANT, Lexicons, rule_rules
from bot.match import Document, MatchIndex, RuleError, parse_query
from bot.models import Watch
from bot.store import Store
from tests.conftest import ROOT

NOW = datetime(2026, 12, 1, tzinfo=UTC)
ALIASES_FILE = ROOT / "config" / "aliases.toml"


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "pantau.db")
    yield opened
    opened.close()


def fires(lexicon, query: str, title: str, body: str = "") -> bool:
    parsed = parse_query(query, lexicon)
    index = MatchIndex([(Watch(1, 1, query, parsed.display), parsed)])
    return bool(index.match(Document(title, body)))


def test_the_store_keeps_context_rules_and_moves_the_aliases_version(store):
    version = store.aliases_version()
    rule, new = store.add_context_rule(NAME, ["AS Livorno"], 7, NOW)
    assert new and store.aliases_version() == version + 1
    assert store.add_context_rule(NAME, ["AS Livorno"], 8, NOW) == (rule, False)
    assert store.aliases_version() == version + 1, "the same rule again changes nothing"
    variant, _ = store.add_context_rule(VARIANT, ["Hongkong", "Hongkonk"], 7, NOW)
    assert store.context_rules() == [
        (rule, NAME, ["AS Livorno"]),
        (variant, VARIANT, ["Hongkong", "Hongkonk"]),
    ]
    assert store.remove_context_rule(rule) and not store.remove_context_rule(rule)
    assert store.aliases_version() == version + 3
    assert store.context_rules() == [(variant, VARIANT, ["Hongkong", "Hongkonk"])]


def test_the_lexicon_is_rebuilt_only_when_admins_change_it(store):
    lexicons = Lexicons.from_config(store, ALIASES_FILE)
    before = lexicons.load()
    assert lexicons.load() is before and asyncio.run(lexicons.current()) is before
    assert fires(before, "AS", "AS Livorno menang tipis atas Pisa")
    assert not fires(before, "AS", "AS Roma menang tipis atas Lazio"), "the file's rules apply"

    store.add_context_rule(NAME, ["AS Livorno"], 7, NOW)
    after = asyncio.run(lexicons.current())
    assert after is not before and lexicons.load() is after
    assert not fires(after, "AS", "AS Livorno menang tipis atas Pisa")
    assert fires(after, "AS", "Kapal induk AS berlayar ke Pasifik")

    store.add_alias_group(["Negeri Kimchi", "Korsel"], 7, NOW)
    assert fires(lexicons.load(), "Korsel", "Negeri Kimchi memanas"), "stored groups too"


def test_admins_spellings_and_persons(store):
    lexicons = Lexicons.from_config(store, ALIASES_FILE)
    assert not fires(lexicons.load(), '"Hong Kong"', "Demo besar di Hongkonk")
    store.add_context_rule(VARIANT, ["Hongkong", "Hongkonk"], 7, NOW)
    store.add_alias_group(["Bahlil", "Bahlil Lahadalia"], 7, NOW)
    namesake = "Kepala desa Pratama Bahlil meninjau sawah."
    assert fires(lexicons.load(), "Bahlil", "Kabar desa", namesake)
    store.add_context_rule(PERSON, ["Bahlil Lahadalia"], 7, NOW)
    lexicon = lexicons.load()
    assert fires(lexicon, "Hongkong", "Demo besar di Hongkonk")
    assert not fires(lexicon, "Bahlil", "Kabar desa", namesake), "someone else"
    assert fires(lexicon, "Bahlil", "Kabar tambang", "Menteri Bahlil meninjau tambang.")


def test_a_stored_rule_the_rules_cannot_read_is_skipped(store, caplog):
    bad, _ = store.add_context_rule(VARIANT, ["Hong Kong", "Hongkong"], 7, NOW)
    store.add_context_rule(NAME, ["AS Livorno"], 7, NOW)
    with caplog.at_level(logging.WARNING, logger="bot.lexicon"):
        lexicon = Lexicons.from_config(store, ALIASES_FILE).load()
    assert f"context rule #{bad} skipped" in caplog.text
    assert not fires(lexicon, "AS", "AS Livorno menang tipis atas Pisa"), "the others apply"


@pytest.mark.parametrize(
    ("kind", "words"),
    [(NAME, ["AS Roma", "AS Monaco"]), (VARIANT, ["Cina"]), (PERSON, []), ("label", ["x"])],
)
def test_rules_that_cannot_be_read(kind, words):
    with pytest.raises(RuleError):
        rule_rules(kind, words)
