"""Article text to a short summary: page furniture out, sentences split, the best few chosen.

Stages, one module each: `clean` (furniture lines and the dateline go), `sentences` (split
per paragraph), `choose` (features, the fitted model in `weights.json`, the choice within the
budget), `mentions` (matched terms as patterns for a query-focused choice and for bolding).
"""

from bot.summary.choose import MAX_SENTENCES, SUMMARY_BUDGET, summarize
from bot.summary.clean import clean_text, without_dateline
from bot.summary.mentions import mention_patterns
from bot.summary.sentences import sentences

__all__ = [
    "MAX_SENTENCES",
    "SUMMARY_BUDGET",
    "clean_text",
    "mention_patterns",
    "sentences",
    "summarize",
    "without_dateline",
]
