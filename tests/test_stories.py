"""One story from several outlets is one story; two stories on one topic stay two."""

from __future__ import annotations

from bot.stories import Recent, earlier_report, fingerprint, same_story
from bot.summary import clean_text, summarize

AGENCY = (
    "Presiden Korea Utara Kim Jong Un bertemu Presiden Rusia Vladimir Putin di Kosmodrom "
    "Vostochny, Rusia, pada Rabu, 13 September 2023. Pertemuan itu memicu spekulasi tentang kerja "
    "sama pertahanan yang semakin erat antara kedua negara. Kedua pemimpin membahas kerja sama "
    "ekonomi dan politik selama beberapa jam."
)
OUTLETS = [
    (
        "Kim Jong Un Temui Putin di Vostochny",
        "Jakarta (ANTARA) - " + AGENCY + "\nBaca juga: Rusia uji rudal baru",
    ),
    (
        "Putin Ajak Kim Keliling Kosmodrom",
        "JAKARTA, KOMPAS.com - " + AGENCY.replace("pada Rabu, ", "Rabu ") + "\nEditor: Budi",
    ),
    (
        "Bertemu Putin, Kim Jong Un Bahas Pertahanan",
        "REPUBLIKA.CO.ID, JAKARTA -- "
        + AGENCY.split(". ", 1)[0]
        + ". "
        + AGENCY.split(". ", 1)[1][:150],
    ),
]
SAME_TOPIC = (
    "Korea Utara Luncurkan Rudal Balistik",
    "Jakarta (ANTARA) - Korea Utara meluncurkan rudal balistik ke Laut Jepang pada Kamis pagi, "
    "sehari setelah Kim Jong Un kembali dari Rusia, kata militer Korea Selatan. Jepang memprotes "
    "peluncuran itu dan menyebutnya ancaman bagi kawasan.",
)


def story(title, text):
    return fingerprint(title, summarize(clean_text(text, title)))


def test_the_same_agency_story_from_three_outlets_is_one_story():
    prints = [story(title, text) for title, text in OUTLETS]
    assert same_story(prints[0], prints[1])
    assert same_story(prints[0], prints[2])
    assert same_story(prints[1], prints[2])


def test_two_stories_on_the_same_topic_stay_apart():
    first = story(*OUTLETS[0])
    other = story(*SAME_TOPIC)
    assert not same_story(first, other)


def test_the_earlier_report_is_found_among_a_chats_recent_alerts():
    recent = [Recent(7, story(*SAME_TOPIC)), Recent(9, story(*OUTLETS[0]))]
    assert earlier_report(story(*OUTLETS[1]), recent) == 9
    assert (
        earlier_report(story("Harga beras naik", "Harga beras naik di pasar induk."), recent)
        is None
    )
    assert not same_story(frozenset(), frozenset())
