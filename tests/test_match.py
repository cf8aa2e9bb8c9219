"""Plain-word matching: whole words and phrases, case-insensitive, over title and summary."""

from __future__ import annotations

import pytest

from bot.match import Matcher
from bot.models import StoredArticle, Watch


def article(title: str, summary: str = "") -> StoredArticle:
    return StoredArticle(1, "Uji", "https://x.id/a", title, summary, None)


def fired(query: str, title: str, summary: str = "") -> bool:
    return bool(Matcher.build([Watch(1, 1, query)]).match(article(title, summary)))


@pytest.mark.parametrize(
    ("query", "title", "summary"),
    [
        ("Korea Utara", "Kim bertemu Putin", "…Presiden Korea Utara Kim Jong Un…"),
        ("korea utara", "KOREA UTARA luncurkan rudal", ""),
        ("Rusia", "Perang Rusia-Ukraina", ""),
        ("Rusia", "Kunjungan ke (Rusia), kemarin", ""),
        ("Kim Jong Un", "Pertemuan Kim Jong Un", ""),
        ("Putin", "", "Presiden Rusia Vladimir Putin."),
        ("Jakarta", "ＪＡＫＡＲＴＡ banjir", ""),
    ],
)
def test_matches(query, title, summary):
    assert fired(query, title, summary)


@pytest.mark.parametrize(
    ("query", "title", "summary"),
    [
        ("Korea Utara", "Korea Selatan gelar latihan", "Seoul, Korea Selatan"),
        ("Rusia", "Sejarah Prusia", ""),
        ("Korea Utara", "Korea", "Utara"),
        ("Korea Utara", "Utara Korea", ""),
        ("UN", "Kim Jong Uno", ""),
    ],
)
def test_non_matches(query, title, summary):
    assert not fired(query, title, summary)


def test_reports_every_watch_that_fired_in_order():
    watches = [Watch(1, 10, "Putin"), Watch(2, 10, "Biden"), Watch(3, 11, "Korea Utara")]
    found = Matcher.build(watches).match(article("Putin temui pemimpin Korea Utara"))
    assert [w.id for w in found] == [1, 3]


def test_a_watch_without_words_never_fires():
    assert Matcher.build([Watch(1, 1, "!!! ...")]).phrases == ()
