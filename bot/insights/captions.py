"""Captions of charts and reports: Telegram HTML within the 1,024-character caption limit.

Rules:
- Every word comes from the catalogue (`texts`), in the chat's language; numbers are written
  as readers of that language write them ("1.234" and "13,7" in Indonesian).
- Every dynamic string is escaped; links are `compose.linked` (http(s) only), headlines and
  outlet names have budgets.
- A caption is whole lines, each valid HTML on its own; `fit_caption` drops lines from the end
  until Telegram's count (UTF-16 code units of the shown text) is within `CAPTION_LIMIT`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from bot.compose import linked, shorten
from bot.insights.periods import day_label
from bot.models import Headline
from bot.texts import CAPTION_LIMIT, telegram_length, text

HEADLINE_BUDGET = 90
OUTLET_BUDGET = 30
QUERY_BUDGET = 60
MORE = "…"


def number(value: float, language: str, decimals: int = 0) -> str:
    """A number as the language writes it: Indonesian "1.234,5", English "1,234.5"."""
    written = f"{value:,.{decimals}f}"
    if language == "en":
        return written
    return written.translate(str.maketrans(",.", ".,"))


def share(part: int, whole: int) -> str:
    """A share in whole percent ("63%")."""
    return f"{round(100 * part / whole) if whole else 0}%"


def label(query: str) -> str:
    """A watch's or query's name as a caption shows it."""
    return shorten(query, QUERY_BUDGET)


def headline_line(headline: Headline) -> str:
    """ "• <linked headline> — outlet"."""
    title = linked(headline.url, _escaped(headline.title, HEADLINE_BUDGET))
    outlet = _escaped(headline.outlet, OUTLET_BUDGET)
    return f"• {title} — {outlet}" if outlet else f"• {title}"


def fit_caption(lines: Sequence[str], limit: int = CAPTION_LIMIT) -> str:
    """The lines joined, within `limit`: whole lines dropped from the end, marked "…"."""
    kept = list(lines)
    caption = "\n".join(kept)
    while telegram_length(caption) > limit and len(kept) > 1:
        kept.pop()
        caption = "\n".join([*kept, MORE])
    return caption if telegram_length(caption) <= limit else MORE


def trend_caption(
    language: str,
    query: str,
    days: int,
    daily: Sequence[tuple[str, int]],
    outlets: Sequence[tuple[str, int]],
    peak: Headline | None,
    notes: Sequence[str] = (),
) -> str:
    """One watch's or query's trend: total, daily average, peak day (and its top headline),
    top outlets; `daily` is (day, articles) per day, `outlets` (name, articles) busiest first,
    `notes` lines of HTML to add."""
    total = sum(count for _, count in daily)
    top_day, top_count = max(reversed(daily), key=lambda pair: pair[1])
    lines = [
        text(language, "trend_title", query=label(query), days=days),
        text(
            language,
            "trend_totals",
            total=number(total, language),
            average=number(total / days, language, 1),
        ),
    ]
    peak_line = text(
        language,
        "trend_peak",
        day=day_label(top_day, language),
        count=number(top_count, language),
    )
    if peak is not None:
        peak_line += " — " + linked(peak.url, _escaped(peak.title, HEADLINE_BUDGET))
    lines.append(peak_line)
    if outlets:
        named = ", ".join(
            f"{shorten(name or '?', OUTLET_BUDGET)} {number(count, language)}"
            for name, count in outlets
        )
        lines.append(text(language, "trend_outlets", outlets=named))
    lines += notes
    return fit_caption(lines)


def share_caption(language: str, days: int, totals: Sequence[tuple[str, int]]) -> str:
    """Share of voice: each watch's or query's articles and share of them all."""
    whole = sum(count for _, count in totals)
    lines = [text(language, "share_title", days=days)]
    lines += [
        text(
            language,
            "share_line",
            query=label(query),
            count=number(count, language),
            share=share(count, whole),
        )
        for query, count in totals
    ]
    lines.append(text(language, "share_total", total=number(whole, language)))
    return fit_caption(lines)


def spike_caption(
    language: str, query: str, count: int, usual: float, headlines: Sequence[Headline]
) -> str:
    """ "📈 Lonjakan pemberitaan": the last hour against the usual, the top headlines."""
    lines = [
        text(language, "spike_title", query=label(query)),
        text(
            language,
            "spike_count",
            count=number(count, language),
            usual=number(usual, language, 1),
        ),
    ]
    lines += [headline_line(headline) for headline in headlines]
    return fit_caption(lines)


def _escaped(value: str, budget: int) -> str:
    return html.escape(shorten(value, budget), quote=False)
