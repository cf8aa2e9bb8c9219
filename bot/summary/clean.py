"""Article text without the page around it: furniture lines out, the dateline off the lead.

Rules (Indonesian news sites):
- Lines that are page furniture go: "Baca Juga:"/"Baca juga:", "Editor:", "Sumber:",
  "Penulis:", "Reporter:", "Pewarta:", "Foto:", copyright lines, "***" end markers, a standalone
  "Headline" label with the teaser under it, the publication-date line, and photo captions
  (a line ending in a credit such as "/kremlin.ru/", and the same caption without it).
- A trailing block label ("Tags", "Artikel Pilihan", "Terkait", "Terkini", "Terpopuler",
  "Kabar Daerah", "Berita Terkait") ends the article: everything from it on goes.
- The dateline goes from the start of the first three paragraphs (a title or a caption the
  page left may come before it), also when doubled or alone on its line. A dateline is a head,
  a dash (-, --, – or —) and the sentence. The head is up to five places and outlets separated
  by commas ("Jakarta, CNN Indonesia", "REPUBLIKA.CO.ID, BANDUNG BARAT"), optionally with a
  date ("27/11") and an outlet in brackets ("Kuala Lumpur (ANTARA News)"). Since a sentence may
  itself start with capitalised words and a dash ("Jokowi - JK", "Mercedes - Benz", "GO -
  JEK"), a head counts only with a sign of being a dateline: an outlet in brackets, a web
  domain ("Merdeka.com", "JUARA.NET"), a comma, a known outlet name ("Rimanews", "CNN
  Indonesia", a name ending in "news"), or capitals only, four letters or more, not before a
  digit ("INGGRIS - Manchester", not "COVID - 19"). A dash glued to both words ("Baru-baru")
  is never one. Without a dash, only capitals with a bracketed outlet count ("BEKASI (Pos
  Kota) Pasar...").
"""

from __future__ import annotations

import re

DATELINE_PARAGRAPHS = 3
_FURNITURE = re.compile(
    r"^\s*(?:baca juga\s*:|editor\s*:|sumber\s*:|penulis\s*:|reporter\s*:|pewarta\s*:|foto\s*:"
    r"|copyright\b|©|\*{3,}\s*$|headline\s*$)",
    re.IGNORECASE,
)
_END_BLOCKS = re.compile(
    r"^\s*(?:tags|tag|artikel pilihan|terkait|terkini|terpopuler|kabar daerah|berita terkait)\s*:?\s*$",
    re.IGNORECASE,
)
_DATE_LINE = re.compile(
    r"^\s*[-–—]?\s*(?:\w+,\s*)?\d{1,2}\s+\w+\s+\d{4}(?:,|\s|\|)+\d{1,2}[:.]\d{2}\s*(?:WIB|WITA|WIT)?\s*$"
)
_END_MARK = re.compile(r"\s*\*{3,}\s*$")
_CREDIT = re.compile(r"/\s*[\w.-]+\s*/\s*$")

_DOMAIN = r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]{2,4}){1,2}"
_NAME = r"[A-Z][\w'’]*(?:[-/][A-Z][\w'’]*)*"
_PLACE = rf"{_NAME}(?:\s+(?:{_NAME}|d[aei]|del|van|von|al)){{0,4}}"
_PART = rf"(?:{_DOMAIN}|{_PLACE}|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?)"
_BRACKETED = r"\(\s*[A-Za-z][\w.]*(?:\s+[\w.]+){0,3}\s*\)"
_DASH = r"(?:--?|–|—)"
_DATELINE = re.compile(
    rf"^\s*(?P<head>{_PART}(?:\s*,\s*{_PART}){{0,4}}(?:\s*,)?)(?:\s*(?P<bracket>{_BRACKETED}))?"
    rf"(?P<before>\s*){_DASH}(?P<after>\s*)"
)
_CAPITALS_BRACKETED = re.compile(
    rf"^\s*[A-Z]{{3,}}(?:\s+[A-Z]{{2,}}){{0,3}}\s*(?P<bracket>{_BRACKETED})\s+(?=[A-Z])"
)
_IS_DOMAIN = re.compile(rf"(?<![\w.]){_DOMAIN}(?![\w.])")
_OUTLET_IN_BRACKETS = re.compile(
    r"antara|pos\s*kota|news|\.com|\.net|\.id|kompas|tempo|detik|republika|okezone|tribun",
    re.IGNORECASE,
)
_KNOWN_OUTLETS = frozenset(
    {
        "antara",
        "bisnis",
        "bola",
        "cnbc indonesia",
        "cnn indonesia",
        "detik",
        "detikcom",
        "inilah",
        "jawapos",
        "juara",
        "kompas",
        "kontan",
        "kumparan",
        "liputan6",
        "media indonesia",
        "merdeka",
        "okezone",
        "pos kota",
        "poskota",
        "republika",
        "suara",
        "tempo",
        "tirto",
        "viva",
    }
)


def clean_text(text: str, title: str = "") -> str:
    """The article's own paragraphs, without the page around them."""
    lines = [line.strip() for line in text.splitlines()]
    kept: list[str] = []
    captions = {
        _CREDIT.sub("", line).strip() for line in lines if _CREDIT.search(line) and len(line) < 300
    }
    skip_next = False
    for line in lines:
        if skip_next:
            skip_next = False
            continue
        if not line:
            continue
        if _END_BLOCKS.match(line):
            break
        if line.lower() == "headline":
            skip_next = True
            continue
        if (
            _FURNITURE.match(line)
            or _DATE_LINE.match(line)
            or _CREDIT.search(line)
            or line in captions
            or (title and line == title.strip())
        ):
            continue
        kept.append(_END_MARK.sub("", line))
    opening = [without_dateline(line) for line in kept[:DATELINE_PARAGRAPHS]]
    return "\n".join(line for line in opening + kept[DATELINE_PARAGRAPHS:] if line)


def without_dateline(paragraph: str) -> str:
    """The paragraph without the dateline(s) it opens with (see the module rules)."""
    for _ in range(3):
        rest = _after_dateline(paragraph)
        if rest is None:
            break
        paragraph = rest
    return paragraph


def _after_dateline(paragraph: str) -> str | None:
    """What follows the paragraph's dateline, or None when it does not open with one."""
    found = _DATELINE.match(paragraph)
    if found is not None:
        rest = paragraph[found.end() :]
        if _looks_like_dateline(found, rest):
            return rest.strip()
    found = _CAPITALS_BRACKETED.match(paragraph)
    if found is not None and _OUTLET_IN_BRACKETS.search(found.group("bracket")):
        return paragraph[found.end() :].strip()
    return None


def _looks_like_dateline(found: re.Match[str], rest: str) -> bool:
    """Does the head before this dash carry a sign that it is a dateline and not a sentence?"""
    head = found.group("head")
    if _IS_DOMAIN.search(head):
        return True
    if not (found.group("before") or found.group("after")):
        return False  # a hyphenated word: "Baru-baru", "COVID-19"
    name = " ".join(head.split()).lower()
    if found.group("bracket") or "," in head or name in _KNOWN_OUTLETS or name.endswith("news"):
        return True
    opening = rest.lstrip()[:1]
    return head.isupper() and sum(c.isalpha() for c in head) >= 4 and not opening.isdigit()
