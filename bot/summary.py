"""Article text to a short summary: boilerplate out, sentences split, the lead chosen.

Rules (Indonesian news sites):
- Lines that are page furniture go: "Baca Juga:"/"Baca juga:", "Editor:", "Sumber:",
  "Penulis:", "Reporter:", "Pewarta:", "Foto:", copyright lines, "***" end markers, a standalone
  "Headline" label with the teaser under it, the publication-date line, and photo captions
  (a line ending in a credit such as "/kremlin.ru/", and the same caption without it).
- A trailing block label ("Tags", "Artikel Pilihan", "Terkait", "Terkini", "Terpopuler",
  "Kabar Daerah", "Berita Terkait") ends the article: everything from it on goes.
- The dateline before the first sentence goes: "ZONA SURABAYA RAYA -", "JAKARTA, KOMPAS.com -",
  "Jakarta (ANTARA) -", "Liputan6.com, Jakarta -", "REPUBLIKA.CO.ID, JAKARTA --".
- Sentences end at ".", "!" or "?" followed by a space and a capital, digit or quote — not after
  a known abbreviation ("Jl.", "dr.", "No.", "U.S.") or a single-letter initial, and never
  inside a number ("42,7", "9.000").
- The summary is the lead: sentences from the start up to `SUMMARY_BUDGET` characters (at most
  three); when none of them mentions a matched term, the first sentence that does replaces the
  last lead sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.match.text import is_acronym, words

SUMMARY_BUDGET = 500
MAX_SENTENCES = 3
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
_DATELINE = re.compile(
    r"^\s*(?:"
    r"[A-Z][A-Z.]+(?:\s+[A-Z][A-Z.]+){0,4}(?:,\s*[A-Z][A-Z.]+(?:\s+[A-Z][A-Z.]+){0,3}){0,3}"  # ZONA SURABAYA RAYA / REPUBLIKA.CO.ID, JAKARTA
    r"|[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2}\s*\((?:ANTARA|ANTARA News)\)"  # Jakarta (ANTARA)
    r"|[A-Z]+,\s*[A-Za-z0-9]+\.(?:com|co\.id|id)"  # JAKARTA, KOMPAS.com
    r"|[A-Za-z0-9]+\.(?:com|co\.id|id),\s*[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2}"  # Liputan6.com, Jakarta
    r")\s*[-–—]{1,2}\s+"
)
_ABBREVIATIONS = frozenset(
    "jl no dr drs ir prof h hj st tn ny sdr kec kab prov rp hlm dll dsb dkk tsb yth a.n u.s "
    "s.h s.e m.si m.m vs mr mrs ms inc ltd co corp jr sr".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)]*\s+(?=[\"“'‘(]?[A-Z0-9])")


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
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return "\n".join(kept)


def sentences(text: str) -> list[str]:
    """The text's sentences, in order (see the module rules)."""
    found: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        if _abbreviation_before(text, end.start()):
            continue
        piece = text[start : end.start() + len(end.group().rstrip())].strip()
        if piece:
            found.append(piece)
        start = end.end()
    rest = text[start:].strip()
    if rest:
        found.append(rest)
    return [" ".join(sentence.split()) for sentence in found]


def summarize(text: str, mentions: Sequence[re.Pattern[str]] = ()) -> str:
    """The lead of the text, with a matched term in it if the text has one anywhere."""
    all_sentences = sentences(text)
    lead: list[str] = []
    for sentence in all_sentences[:MAX_SENTENCES]:
        if lead and len(" ".join([*lead, sentence])) > SUMMARY_BUDGET:
            break
        lead.append(sentence)
    if mentions and lead and not any(p.search(s) for p in mentions for s in lead):
        mentioning = next(
            (s for s in all_sentences[len(lead) :] if any(p.search(s) for p in mentions)), None
        )
        if mentioning is not None:
            lead = [*lead[:-1], mentioning] if len(lead) > 1 else [*lead, mentioning]
    summary = " ".join(lead)
    return summary if len(summary) <= SUMMARY_BUDGET + 200 else summary[:SUMMARY_BUDGET] + "…"


def mention_patterns(terms: Sequence[str]) -> list[re.Pattern[str]]:
    """How each matched term is found in plain text (for choosing and bolding sentences).

    The same rules as matching, expressed on unnormalised text: whole words, any case except
    acronyms in capitals, anything but letters and digits between the words, a clitic allowed
    after the last word.
    """
    patterns = []
    for term in terms:
        tokens = words(term)
        if not tokens:
            continue
        parts = [
            re.escape(token) if is_acronym(token) else f"(?i:{re.escape(token)})"
            for token in tokens
        ]
        clitic = "" if is_acronym(tokens[-1]) else "(?i:nya|lah|kah|pun)?"
        patterns.append(re.compile(r"(?<!\w)" + r"[\W_]+".join(parts) + clitic + r"(?!\w)"))
    return patterns


def _abbreviation_before(text: str, dot: int) -> bool:
    """Is the "." at `dot` the end of an abbreviation or an initial rather than a sentence?"""
    if text[dot] != ".":
        return False
    word = re.search(r"([\w.]+)$", text[:dot])
    if word is None:
        return False
    token = word.group(1).lower()
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())
