"""Cleaning Indonesian article text, splitting it and choosing its summary."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.models import FetchResult
from bot.parse import extract_article
from bot.summary import (
    MAX_SENTENCES,
    SUMMARY_BUDGET,
    clean_text,
    mention_patterns,
    sentences,
    summarize,
    without_dateline,
)
from bot.summary.choose import SENTENCE_FEATURES, SUMMARY_FEATURES, load_model
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
NEWS = "Presiden tiba di Istana Bogor pada Senin pagi."

# An article of our own: hard news first, then details, quotes and background.
ARTICLE = [
    "Pemerintah Kota Bandung menutup tiga jembatan penyeberangan yang rusak akibat banjir pada "
    "Selasa (4/3).",
    "Penutupan berlaku sampai perbaikan selesai, paling lambat akhir bulan ini.",
    '"Kami tidak ingin ada warga yang celaka," kata Kepala Dinas Pekerjaan Umum Budi Santoso.',
    "Dinas mencatat 12 titik kerusakan di sepanjang Sungai Cikapundung dengan biaya perbaikan "
    "sekitar Rp 4 miliar.",
    "Warga diminta memakai jembatan di Jalan Asia Afrika selama penutupan.",
    "Banjir tahun lalu juga merusak dua jembatan di kawasan yang sama.",
    "Menurut warga, arus sungai naik dengan cepat setelah hujan deras sejak sore.",
    "Petugas berjaga di setiap jembatan yang ditutup.",
    "Sejumlah pedagang di sekitar jembatan mengeluhkan turunnya pembeli.",
    "Wali kota berjanji meninjau lokasi pada akhir pekan.",
    "Ia juga meminta warga melaporkan kerusakan lain lewat aplikasi.",
    "Sementara itu, gubernur Jawa Barat menawarkan bantuan dana darurat kepada Kota Bandung.",
]
HEADLINE = "Tiga Jembatan Penyeberangan di Bandung Ditutup Akibat Banjir"


def seed():
    text = shared_fixture("articles/seed_zonasurabayaraya_kim-putin.txt").read_text(
        encoding="utf-8"
    )
    return text, text.splitlines()[0]


def test_no_boilerplate_reaches_the_seed_articles_text_or_summary():
    text, title = seed()
    cleaned = clean_text(text, title)
    summary = summarize(cleaned, mention_patterns(["Korea Utara"]), title)
    for junk in BOILERPLATE:
        assert junk not in cleaned, junk
        assert junk not in summary, junk
    assert cleaned.startswith("Pertemuan antara Presiden Korea Utara Kim Jong Un")
    assert "Rusia akan membantu Kim membangun satelit" in cleaned
    assert summary.startswith("Pertemuan antara Presiden Korea Utara")
    assert len(summary) <= SUMMARY_BUDGET


def test_the_seed_dateline_goes_even_when_the_title_line_comes_first():
    text, _ = seed()
    assert "ZONA SURABAYA RAYA" not in clean_text(text)


@pytest.mark.parametrize(
    "dateline",
    [
        "ZONA SURABAYA RAYA - ",
        "JAKARTA, KOMPAS.com - ",
        "Jakarta (ANTARA) - ",
        "Biel (ANTARA News) – ",
        "Liputan6.com, Jakarta - ",
        "REPUBLIKA.CO.ID, JAKARTA -- ",
        "REPUBLIKA.CO.ID, REPUBLIKA.CO.ID, BANDUNG BARAT -- ",
        # the forms issue 17 lists, as IndoSum's outlets write them
        "Jakarta, CNN Indonesia -- ",
        "Merdeka.com - ",
        "Suara.com - ",
        "Rimanews - ",
        "JAKARTA (Pos Kota) – ",
        "KOTA, JUARA.net - ",
        # variants: other dashes, case, places of several words, dates, doubled datelines
        "Jakarta, CNN Indonesia — ",
        "Jakarta, CNN Indonesia -- Jakarta, CNN Indonesia -- ",
        "JUARA.NET, MISANO ADRIATICO - ",
        "JOHOR BAHRU, JUARA.net – ",
        "Kuala Lumpur (ANTARA News) - ",
        "Sukabumi, Jawa Barat (ANTARA News) - ",
        "Jeddah, Arab Saudi, 27/11 (Antara) - ",
        "Kuala Lumpur, (AntaraKL) - ",
        "Malang (Kabarpas.com) – ",
        "BOLASPORT.COM – ",
        "INGGRIS - ",
        "KOREA SELATAN – ",
        "ITALIA– ",
        "JAKARTA -",
        "BEKASI (Pos Kota) ",
        "Tempo.co, Jakarta - ",
    ],
)
def test_datelines_go(dateline):
    assert clean_text(dateline + NEWS) == NEWS
    assert without_dateline(dateline + NEWS) == NEWS


def test_a_dateline_alone_on_its_line_goes_with_its_line():
    assert clean_text(f"Suara.com -\n{NEWS}\nIa disambut menteri.") == (
        f"{NEWS}\nIa disambut menteri."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Presiden Korea - Rusia bertemu.",
        "Jokowi - JK menang di Jawa Barat.",
        "Prabowo - Sandi berkampanye di Medan.",
        "GO - JEK menambah fitur pembayaran.",
        "Mercedes - Benz meluncurkan mobil baru.",
        "PT Toyota - Astra Motor menaikkan harga.",
        "Paris Saint - Germain menang lagi.",
        "AS - China sepakat menurunkan tarif.",
        "KPK - Polri membentuk tim bersama.",
        "Skor 2 - 1 bertahan sampai akhir.",
        "COVID-19 menyebar ke kota lain.",
        "COVID - 19 menyebar ke kota lain.",
        "Baru-baru ini KPK menahan dua orang.",
        "KPK (Komisi Pemberantasan Korupsi) menahan dua orang.",
        "Menurut polisi, Jakarta - Bogor macet total.",
        "Kereta Jakarta – Bandung berangkat pukul 07.00.",
    ],
)
def test_sentences_that_merely_contain_a_dash_stay(sentence):
    assert without_dateline(sentence) == sentence
    assert clean_text(sentence) == sentence


def test_only_the_opening_paragraphs_lose_a_dateline():
    text = "\n".join([NEWS, "Ia menyapa warga.", "Makan siang bersama.", "Suara.com - Isi."])
    assert clean_text(text).endswith("Suara.com - Isi.")


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


def test_a_paragraph_without_a_closing_stop_stays_a_sentence_of_its_own():
    text = (
        "Lima hal yang perlu diketahui\nPresiden tiba di Bogor. Ia disambut menteri.\nFoto bersama"
    )
    assert sentences(text) == [
        "Lima hal yang perlu diketahui",
        "Presiden tiba di Bogor.",
        "Ia disambut menteri.",
        "Foto bersama",
    ]


def test_the_summary_is_a_few_whole_sentences_of_the_article_within_the_budget():
    summary = summarize("\n".join(ARTICLE), headline=HEADLINE)
    chosen = sentences(summary)
    assert 2 <= len(chosen) <= MAX_SENTENCES
    assert all(sentence in ARTICLE for sentence in chosen)
    assert chosen == sorted(chosen, key=ARTICLE.index), "in article order"
    assert len(summary) <= SUMMARY_BUDGET
    assert chosen[0] == ARTICLE[0], "hard news: the lead opens the summary"


def test_the_summary_leaves_out_quotes_and_sentences_leaning_on_missing_context():
    summary = summarize("\n".join(ARTICLE), headline=HEADLINE)
    assert "Kami tidak ingin" not in summary
    assert not summary.startswith(("Ia ", "Sementara itu"))


def test_a_feature_story_does_not_open_on_its_scene_setting_question():
    story = [
        "Pernahkah Anda membayangkan malam yang sunyi di tepi hutan?",
        "Angin dingin bertiup pelan di antara pepohonan.",
        "Balai Konservasi Sumber Daya Alam Jambi melepasliarkan dua harimau Sumatera di Taman "
        "Nasional Kerinci Seblat pada Kamis (6/3).",
        "Kedua harimau itu sebelumnya dirawat selama enam bulan setelah terjerat perangkap warga.",
        "Petugas memasang kalung GPS untuk memantau pergerakan kedua harimau.",
    ]
    summary = summarize("\n".join(story), headline="Dua Harimau Sumatera Dilepasliarkan di Jambi")
    assert "Pernahkah" not in summary
    assert "melepasliarkan dua harimau" in summary


def test_a_sentence_naming_the_matched_term_gets_in_wherever_it_stands():
    text = "\n".join([*ARTICLE, "Bantuan serupa pernah datang dari Korea Utara pada 2015."])
    summary = summarize(text, mention_patterns(["Korea Utara"]), HEADLINE)
    assert "Korea Utara pada 2015." in summary
    assert len(sentences(summary)) <= MAX_SENTENCES
    assert summary.startswith(ARTICLE[0])


def test_without_a_naming_sentence_the_choice_is_the_plain_one():
    text = "\n".join(ARTICLE)
    assert summarize(text, mention_patterns(["Putin"]), HEADLINE) == summarize(
        text, headline=HEADLINE
    )


def test_a_repeated_sentence_is_not_chosen_twice():
    text = "\n".join([ARTICLE[0], ARTICLE[0].replace("Selasa", "hari Selasa"), *ARTICLE[1:]])
    summary = summarize(text, headline=HEADLINE)
    assert summary.count("menutup tiga jembatan") == 1


def test_one_overlong_sentence_is_cut_at_a_word_within_the_budget():
    long = "Presiden meresmikan " + ", ".join(f"jembatan nomor {n}" for n in range(120)) + "."
    summary = summarize(long)
    assert SUMMARY_BUDGET - 20 < len(summary) <= SUMMARY_BUDGET and summary.endswith("…")
    assert long.startswith(summary[:-1]) and long[len(summary) - 1] in " ,"


def test_empty_text_has_an_empty_summary():
    assert summarize("") == ""
    assert summarize("\n\n") == ""


def test_a_dateline_never_opens_a_summary():
    text = "Jakarta, CNN Indonesia -- " + "\n".join(ARTICLE)
    summary = summarize(clean_text(text, HEADLINE), headline=HEADLINE)
    assert summary.startswith("Pemerintah Kota Bandung")


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
def test_real_pages_are_extracted_cleaned_and_summarised(page, opening, published):
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
    summary = summarize(text)
    assert summary.startswith(opening), "the lead of a hard-news page opens its summary"
    assert len(summary) <= SUMMARY_BUDGET and "Copyright" not in summary


def test_the_fitted_weights_ship_inside_the_package():
    model = load_model()  # raises when weights.json and the features disagree
    assert len(model.sentence) == len(SENTENCE_FEATURES)
    assert len(model.summary) == len(SUMMARY_FEATURES)
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    assert "weights.json" in config["tool"]["setuptools"]["package-data"]["bot.summary"], (
        "setuptools leaves data files out of the wheel (and the Docker image) unless named"
    )
