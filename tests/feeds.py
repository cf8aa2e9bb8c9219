"""Test data: RSS documents built from plain dicts, the seed story as a feed item, a gzip bomb."""

from __future__ import annotations

import gzip
import struct
import zlib
from xml.sax.saxutils import escape

MiB = 1 << 20

SEED_STORY = {
    "title": (
        "Kim Jong Un dan Vladimir Putin Bertemu di Kosmodrom Vostochny: "
        "Kerjasama Pertahanan atau Rencana Militer Baru?"
    ),
    "link": (
        "https://zonasurabayaraya.pikiran-rakyat.com/internasional/pr-1857012345/"
        "kim-jong-un-dan-vladimir-putin-bertemu-di-kosmodrom-vostochny?utm_source=rss"
    ),
    "description": (
        "<p>ZONA SURABAYA RAYA - Pertemuan antara Presiden Korea Utara Kim Jong Un dan Presiden "
        "Rusia Vladimir Putin di Kosmodrom Vostochny, Rusia, pada Rabu, 13 September 2023, "
        "memicu spekulasi tentang kerja sama pertahanan yang semakin erat antara kedua negara."
        "</p><p>Melansir kremlin.ru, pertemuan tersebut berlangsung selama beberapa jam.</p>"
    ),
    "pubDate": "Wed, 13 Sep 2023 14:30:00 +0700",
}

OLD_STORY = {
    "title": "Korea Utara luncurkan rudal balistik ke Laut Jepang",
    "link": "https://news.example.id/berita/korea-utara-luncurkan-rudal",
    "description": "Korea Utara kembali meluncurkan rudal balistik, kata militer Korea Selatan.",
    "pubDate": "Tue, 12 Sep 2023 08:00:00 +0700",
}

SOUTH_ONLY_STORY = {
    "title": "Korea Selatan gelar latihan militer gabungan",
    "link": "https://news.example.id/berita/korea-selatan-latihan",
    "description": "Seoul dan sekutunya menggelar latihan di perbatasan Korea Selatan.",
    "pubDate": "Wed, 13 Sep 2023 16:00:00 +0700",
}


def rss(items: list[dict[str, str]], title: str = "Berita Uji") -> bytes:
    """An RSS 2.0 document; descriptions are escaped HTML, as most Indonesian feeds send them."""
    entries = []
    for item in items:
        fields = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in item.items())
        entries.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<rss version="2.0"><channel><title>{escape(title)}</title>'
        "<link>https://news.example.id/</link><description>uji</description>"
        f"{''.join(entries)}</channel></rss>"
    ).encode()


ARTICLE_PARAGRAPHS = (
    "ZONA SURABAYA RAYA - Pertemuan antara Presiden Korea Utara Kim Jong Un dan Presiden Rusia "
    "Vladimir Putin pada Rabu, 13 September 2023, memicu spekulasi tentang kerja sama pertahanan "
    "yang semakin erat antara kedua negara.",
    "Baca Juga: Rusia Rilis Senjata Perang Baru yang Menakutkan",
    "Melansir kantor berita, pertemuan tersebut berlangsung selama beberapa jam, dan kedua "
    "pemimpin membahas berbagai isu, termasuk kerja sama ekonomi dan politik.",
    "Putin mengajak Kim berkeliling Kosmodrom Vostochny, lokasi peluncuran roket luar angkasa "
    "paling modern di Rusia, yang juga menjadi tempat perakitan roket Angara sepanjang 42,7 meter.",
    "Amerika Serikat telah lama mengkhawatirkan hubungan dekat antara Rusia dan Korea Utara, dan "
    "khawatir kerja sama pertahanan kedua negara dapat mengancam keamanan regional.",
    "Editor: Rangga Putra",
    "Sumber: Kremlin",
)


def article_page(title: str, paragraphs: tuple[str, ...] = ARTICLE_PARAGRAPHS) -> bytes:
    """A news page as Indonesian sites build it: menus, the article, related links, a footer."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/b/{n}">Berita lain nomor {n}</a></li>' for n in range(12))
    return (
        f"<html><head><title>{escape(title)}</title></head><body>"
        '<nav><a href="/">Beranda</a> <a href="/dunia">Dunia</a> <a href="/nasional">Nasional</a></nav>'
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        f"<aside><h3>Terpopuler</h3><ul>{related}</ul></aside>"
        "<footer>Copyright 2023 Zona Surabaya Raya. All Rights Reserved</footer></body></html>"
    ).encode()


def gzip_bomb(mebibytes: int) -> bytes:
    """`mebibytes` of zeros, gzipped, gzipped again: about 2.5 KB on the wire for 1 GiB.

    Built from one compressed MiB repeated (a full flush makes every block compress alike),
    with the gzip header and trailer written around it, so it takes a second, not a minute.
    """
    block = bytes(MiB)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    inner = (
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
        + first
        + again * (mebibytes - 1)
        + deflate.flush(zlib.Z_FINISH)
        + struct.pack("<II", crc, (mebibytes * MiB) & 0xFFFFFFFF)
    )
    return gzip.compress(inner, 9)
