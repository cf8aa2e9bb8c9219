"""Cleaning Indonesian article text and choosing its lead, on real pages."""

from __future__ import annotations

import pytest

from bot.models import FetchResult
from bot.parse import extract_article
from bot.summary import clean_text, mention_patterns, sentences, summarize
from tests.conftest import shared_fixture

BOILERPLATE = (
    "ZONA SURABAYA RAYA -",
    "Baca Juga",
    "Baca juga",
    "Editor:",
    "Sumber:",
    "Tags",
    "Artikel Pilihan",
    "Terkait",
    "Terkini",
    "Terpopuler",
    "Kabar Daerah",
    "/kremlin.ru/",
    "***",
    "14:30 WIB",
)


def seed():
    text = shared_fixture("articles/seed_zonasurabayaraya_kim-putin.txt").read_text(
        encoding="utf-8"
    )
    return text, text.splitlines()[0]


def test_no_boilerplate_reaches_the_seed_articles_text_or_summary():
    text, title = seed()
    cleaned = clean_text(text, title)
    summary = summarize(cleaned, mention_patterns(["Korea Utara"]))
    for junk in BOILERPLATE:
        assert junk not in cleaned, junk
        assert junk not in summary, junk
    assert cleaned.startswith("Pertemuan antara Presiden Korea Utara Kim Jong Un")
    assert "Rusia akan membantu Kim membangun satelit" in cleaned
    assert summary.startswith("Pertemuan antara Presiden Korea Utara") and len(summary) <= 520


@pytest.mark.parametrize(
    ("dateline", "kept"),
    [
        ("ZONA SURABAYA RAYA - ", ""),
        ("JAKARTA, KOMPAS.com - ", ""),
        ("Jakarta (ANTARA) - ", ""),
        ("Biel (ANTARA News) – ", ""),
        ("Liputan6.com, Jakarta - ", ""),
        ("REPUBLIKA.CO.ID, JAKARTA -- ", ""),
        ("REPUBLIKA.CO.ID, REPUBLIKA.CO.ID, BANDUNG BARAT -- ", ""),
    ],
)
def test_datelines_go(dateline, kept):
    assert clean_text(dateline + "Presiden tiba di Istana.") == kept + "Presiden tiba di Istana."


def test_a_sentence_that_starts_like_a_dateline_stays():
    assert clean_text("Presiden Korea - Rusia bertemu.") == "Presiden Korea - Rusia bertemu."


def test_sentences_respect_abbreviations_and_numbers():
    text = (
        "Rabu, 13 September 2023, roket Angara yang memiliki panjang 42,7 meter diperlihatkan. "
        "Kim tiba di Jl. Sudirman No. 5 bersama dr. Ali dan M. Yamin. Ia bicara dengan pejabat U.S. "
        'Embassy! IHSG naik ke 9.000 poin. Apakah ini awal? "Ya," katanya.'
    )
    assert sentences(text) == [
        "Rabu, 13 September 2023, roket Angara yang memiliki panjang 42,7 meter diperlihatkan.",
        "Kim tiba di Jl. Sudirman No. 5 bersama dr. Ali dan M. Yamin.",
        "Ia bicara dengan pejabat U.S. Embassy!",
        "IHSG naik ke 9.000 poin.",
        "Apakah ini awal?",
        '"Ya," katanya.',
    ]


def test_a_lead_without_the_matched_term_gains_the_first_sentence_with_it():
    text = "Cuaca cerah. Pasar ramai. Harga stabil. Lalu Putin datang ke Moskow. Putin pergi."
    summary = summarize(text, mention_patterns(["Putin"]))
    assert summary == "Cuaca cerah. Pasar ramai. Lalu Putin datang ke Moskow."
    assert summarize(text) == "Cuaca cerah. Pasar ramai. Harga stabil."


def test_mentions_follow_the_matching_rules():
    [korea] = mention_patterns(["Korea Utara"])
    assert korea.search("pemimpin KOREA-UTARA tiba") and korea.search("Korea Utaranya")
    assert not korea.search("Korea Selatan dan utara")
    [un] = mention_patterns(["UN"])
    assert un.search("hasil UN keluar") and not un.search("Kim Jong Un")


@pytest.mark.parametrize(
    ("page", "opening", "published"),
    [
        (
            "mediaindonesia_2026-01-20_wisuda-igi.html",
            "INTERNATIONAL Golden Institute (IGI School of Economics Jakarta)",
            "2026-01-20T11:33:13+00:00",
        ),
        (
            "mediaindonesia_2025-10-22_kpk-nikel.html",
            "Komisi Pemberantasan Korupsi (KPK) mengaku",
            None,
        ),
        ("mediaindonesia_2026-01-08_ihsg.html", "INDEKS Harga Saham Gabungan atau IHSG", None),
    ],
)
def test_real_pages_are_extracted_and_cleaned(page, opening, published):
    html = shared_fixture(f"articles/{page}").read_bytes()
    extracted = extract_article(
        FetchResult("https://mediaindonesia.com/x", html, "text/html", None, None)
    )
    text = clean_text(extracted.text)
    assert extracted.published_at is not None
    if published:
        assert extracted.published_at.isoformat() == published
    assert text.startswith(opening)
    assert "Headline" not in text and "Copyright" not in text and "All Rights Reserved" not in text
