"""The query language: what parses, how it is shown back, and what is refused and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import read_alias_groups
from bot.match import QueryError, build_table, parse_query
from bot.match.query import ERROR_CODES, AnyOf, Near, Not, Or, Source
from bot.texts import CATALOGUES

ALIASES = build_table(
    read_alias_groups(Path(__file__).resolve().parents[1] / "config" / "aliases.toml")
)


def parse(text):
    return parse_query(text, ALIASES)


@pytest.mark.parametrize(
    ("typed", "display"),
    [
        (
            '"Kim Jong Un" (Putin OR Rusia) -"Korea Selatan"',
            '"Kim Jong Un" (Putin OR Rusia) -"Korea Selatan"',
        ),
        ("  banjir   atau  longsor ", "banjir OR longsor"),
        ("Korea Utara", '"Korea Utara"'),
        ("banjir Korea Utara", 'banjir "Korea Utara"'),
        ("as", "AS"),
        ("=Korut", "=Korut"),
        ("title:Putin source:detik.com", "title:Putin source:detik.com"),
        ('source:"CNN Indonesia" Rusia', 'source:"CNN Indonesia" Rusia'),
        ("Kim near/5 Putin", "Kim NEAR/5 Putin"),
        ("“Kim Jong Un” Putin", '"Kim Jong Un" Putin'),
        ("Putin -(Ukraina OR Kyiv)", "Putin -(Ukraina OR Kyiv)"),
    ],
)
def test_display_shows_how_it_was_understood(typed, display):
    assert parse(typed).display == display


def test_structure_of_the_issue_example():
    root = parse('"Kim Jong Un" (Putin OR Rusia) -"Korea Selatan"').root
    kim, either, without = root.children
    assert isinstance(kim, AnyOf) and kim.terms[0].tokens == ("kim", "jong", "un")
    assert isinstance(either, Or) and len(either.children) == 2
    assert isinstance(without, Not) and without.child.terms[0].tokens == ("korea", "selatan")


def test_aliases_expand():
    query = parse("Korut Rusia")
    expanded = {node.typed: [t.typed for t in node.terms[1:]] for node in query.any_of()}
    assert '"Korea Utara"' in expanded["Korut"]
    assert "Russia" in expanded["Rusia"]
    assert [len(node.terms) for node in parse("=Korut").any_of()] == [1]
    kim = parse("Kim Jong-un").root
    assert kim.terms[0].tokens == ("kim", "jong", "un")


def test_as_alias_is_capitals_only():
    terms = parse("as").terms()
    assert terms[0].tokens == ("AS",)
    assert ("amerika", "serikat") in [t.tokens for t in terms]


def test_near_and_source_nodes():
    near = parse("Kim NEAR/5 Putin").root
    assert isinstance(near, Near) and near.distance == 5
    source = parse("source:detik.com Putin").root.children[0]
    assert isinstance(source, Source) and source.typed == "detik.com"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * 301, "too_long"),
        (" ".join(f"kata{i}" for i in range(21)), "too_many_terms"),
        ('"Kim Jong Un', "unbalanced_quote"),
        ("Kim (Putin OR Rusia", "unbalanced_bracket"),
        ("Kim Putin)", "unbalanced_bracket"),
        ("-Rusia", "only_exclusions"),
        ('-Rusia -"Korea Selatan"', "only_exclusions"),
        ("Rusia OR -Putin", "only_exclusions"),
        ("source:detik.com", "only_exclusions"),
        ("Putin OR", "dangling"),
        ("OR Putin", "dangling"),
        ("!!!", "no_words"),
        ("foo:bar", "unknown_field"),
        ("Kim NEAR/5 (Putin)", "near_terms"),
        ("Kim NEAR/0 Putin", "near_distance"),
        ("Kim NEAR/99 Putin", "near_distance"),
    ],
)
def test_malformed_queries_are_refused(typed, code):
    with pytest.raises(QueryError) as raised:
        parse(typed)
    assert raised.value.code == code


def test_twenty_terms_are_fine():
    assert parse(" ".join(f"kata{i}" for i in range(20))).display.startswith("kata0 kata1")


def test_every_error_has_a_text_in_every_language():
    for catalogue in CATALOGUES.values():
        for code in ERROR_CODES:
            assert f"query_{code}" in catalogue
