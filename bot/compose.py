"""Compose: an alert as Telegram HTML.

Rules:
- Only tags Telegram accepts (`<b>`, `<i>`, `<a href>`), always closed in order.
- Every dynamic string is escaped: `html.escape(quote=False)` in text, `quote=True` in `href`.
- An `href` is only ever an http(s) link (`parse.is_web_link`); any other is shown as plain
  text, unlinked. Parse drops such articles already: this is the second lock on that door.
- Each part has a character budget, so the message stays far below Telegram's 4096-character
  limit however long the feed's strings are.
- The summary is the one chosen for the chat when the alert was planned (see `summary`), or
  the lead of the feed's description; the terms that matched are in bold wherever they occur.
- A story other outlets reported too names them, linked ("Juga diberitakan oleh", the first
  five), and a widely reported one is marked "🔥 Ramai diberitakan" above the title.
- Every word shown comes from the catalogue (`texts`), in the chat's language.
- Times are shown in the chat's zone (the configured one unless the chat chose another), e.g.
  "13 Sep 2023 14:30 WIB"; months are abbreviated in the chat's language.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.models import Alert
from bot.parse import is_web_link
from bot.summary import mention_patterns, summarize
from bot.texts import text

TITLE_BUDGET = 300
SOURCE_BUDGET = 80
SUMMARY_BUDGET = 700
WATCHES_BUDGET = 400
MAX_OUTLETS_SHOWN = 5
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


def format_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A publication time as readers in Indonesia expect it, e.g. "13 Sep 2023 14:30 WIB"."""
    local = moment.astimezone(zone)
    month = text(language, "months").split()[local.month - 1]
    zone_name = _ZONE_NAMES.get(zone.key) or local.strftime("%Z")
    return f"{local.day} {month} {local.year} {local:%H:%M} {zone_name}"


def highlighted(text: str, terms: tuple[str, ...]) -> str:
    """The text as escaped HTML, with every occurrence of a matched term in bold."""
    spans = sorted(
        (found.start(), found.end())
        for pattern in mention_patterns(list(terms))
        for found in pattern.finditer(text)
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, position = [], 0
    for start, end in merged:
        parts += [
            html.escape(text[position:start], quote=False),
            f"<b>{html.escape(text[start:end], quote=False)}</b>",
        ]
        position = end
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def linked(url: str, label: str) -> str:
    """The label (HTML already) linked to the URL, or left unlinked if it is not http(s)."""
    if not is_web_link(url):
        return label
    return f'<a href="{html.escape(url, quote=True)}">{label}</a>'


def button_labels(language: str) -> tuple[str, str]:
    """The labels of the alert's buttons: open the article, stop watching."""
    return text(language, "button_open"), text(language, "button_mute")


def also_reported(outlets: tuple[tuple[str, str], ...], language: str) -> str:
    """ "Also reported by" with each outlet linked to its article, the first few named."""
    shown = [
        linked(url, html.escape(shorten(name, SOURCE_BUDGET), quote=False))
        for name, url in outlets[:MAX_OUTLETS_SHOWN]
    ]
    more = len(outlets) - len(shown)
    tail = f" {text(language, 'more_outlets', count=more)}" if more else ""
    return f"📰 {text(language, 'also_reported')}: {', '.join(shown)}{tail}"


def format_alert(alert: Alert, zone: ZoneInfo) -> str:
    """The whole alert message: linked title, source and time, summary, the watches that fired."""
    article = alert.article
    title = html.escape(shorten(article.title, TITLE_BUDGET), quote=False)
    headline = f"<b>{linked(article.url, title)}</b>"
    byline = [shorten(article.source_name, SOURCE_BUDGET)] if article.source_name else []
    if article.published_at:
        shown = ZoneInfo(alert.timezone) if alert.timezone else zone
        byline.append(format_time(article.published_at, shown, alert.language))
    widely = f"🔥 <b>{text(alert.language, 'widely_reported')}</b>"
    lines = [widely, headline] if alert.widely else [headline]
    if byline:
        lines.append(f"<i>{html.escape(' · '.join(byline), quote=False)}</i>")
    summary = alert.summary or summarize(article.summary, headline=article.title)
    if summary:
        lines += ["", highlighted(shorten(summary, SUMMARY_BUDGET), alert.terms)]
    if alert.also:
        lines += ["", also_reported(alert.also, alert.language)]
    watches = shorten(", ".join(alert.watches), WATCHES_BUDGET)
    lines += ["", f"🔎 {html.escape(watches, quote=False)}"]
    return "\n".join(lines)
