"""Compose: an alert as Telegram HTML.

Rules:
- Only tags Telegram accepts (`<b>`, `<i>`, `<a href>`), always closed in order.
- Every dynamic string is escaped: `html.escape(quote=False)` in text, `quote=True` in `href`.
- Each part has a character budget, so the message stays far below Telegram's 4096-character
  limit however long the feed's strings are; the summary is cut at a sentence end when one
  falls in the budget's last two thirds, else at a word, and marked with "…".
- Times are shown in the given zone, e.g. "13 Sep 2023 14:30 WIB"; months are abbreviated in
  the chat's language.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.models import Alert

TITLE_BUDGET = 300
SOURCE_BUDGET = 80
SUMMARY_BUDGET = 400
WATCHES_BUDGET = 400
MESSAGE_LIMIT = 4096
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s")
_MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
_ZONE_NAMES = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def shorten(text: str, budget: int) -> str:
    """Cut text to the budget at a word, marking the cut with "…"."""
    text = text.strip()
    if len(text) <= budget:
        return text
    cut = text[: budget - 1]
    if " " in cut[budget // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def summarize(text: str, budget: int = SUMMARY_BUDGET) -> str:
    """The text up to the last sentence end within the budget, or cut at a word."""
    text = text.strip()
    if len(text) <= budget:
        return text
    ends = [found.end() for found in _SENTENCE_END.finditer(text[: budget + 1])]
    good = [end for end in ends if end >= budget // 3]
    if good:
        return text[: good[-1]].strip()
    return shorten(text, budget)


def format_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A publication time as readers in Indonesia expect it, e.g. "13 Sep 2023 14:30 WIB"."""
    local = moment.astimezone(zone)
    month = _MONTHS.get(language, _MONTHS["id"])[local.month - 1]
    zone_name = _ZONE_NAMES.get(zone.key) or local.strftime("%Z")
    return f"{local.day} {month} {local.year} {local:%H:%M} {zone_name}"


def format_alert(alert: Alert, zone: ZoneInfo) -> str:
    """The whole alert message: linked title, source and time, summary, the watches that fired."""
    article = alert.article
    title = html.escape(shorten(article.title, TITLE_BUDGET), quote=False)
    headline = f'<b><a href="{html.escape(article.url, quote=True)}">{title}</a></b>'
    byline = [shorten(article.source_name, SOURCE_BUDGET)] if article.source_name else []
    if article.published_at:
        byline.append(format_time(article.published_at, zone, alert.language))
    lines = [headline]
    if byline:
        lines.append(f"<i>{html.escape(' · '.join(byline), quote=False)}</i>")
    summary = summarize(article.summary)
    if summary:
        lines += ["", html.escape(summary, quote=False)]
    watches = shorten(", ".join(alert.watches), WATCHES_BUDGET)
    lines += ["", f"🔎 {html.escape(watches, quote=False)}"]
    return "\n".join(lines)
