"""Matched terms as patterns over plain text, for choosing and bolding sentences.

The same rules as matching, expressed on unnormalised text: whole words, any case except
acronyms in capitals, anything but letters and digits between the words, a clitic allowed after
the last word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.match.text import is_acronym, words


def mention_patterns(terms: Sequence[str]) -> list[re.Pattern[str]]:
    """How each matched term is found in plain text."""
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
