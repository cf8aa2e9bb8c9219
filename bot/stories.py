"""Stories: telling when two articles from different outlets report the same story.

Rules:
- An article's fingerprint is the set of its word 3-shingles (folded words, as matching sees
  them) over the headline and the summary's lead — the part outlets copy from an agency
  story, after their datelines and boilerplate are gone.
- Two articles are one story when their fingerprints overlap enough: Jaccard similarity of at
  least `SAME_STORY`, or at least `CONTAINED` of the smaller fingerprint inside the larger
  (one outlet shortened or padded the agency text). Two different stories on the same topic
  share words but few three-word runs, so they stay apart.
- Only stories alerted to the same chat in the last `WINDOW` are compared, so the cost per
  alert is the chat's recent alerts, not the whole archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from bot.match.text import words

SAME_STORY = 0.3
CONTAINED = 0.5
WINDOW = timedelta(hours=48)
SHINGLE = 3


@dataclass(frozen=True, slots=True)
class Recent:
    """An alert already decided for a chat, as the comparison needs it."""

    delivery_id: int
    fingerprint: frozenset[str]


def fingerprint(title: str, text: str) -> frozenset[str]:
    """The article's word 3-shingles (see the module rules)."""
    tokens = [token.casefold() for token in words(f"{title}\n{text}")]
    if len(tokens) < SHINGLE:
        return frozenset({" ".join(tokens)}) if tokens else frozenset()
    return frozenset(" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def same_story(left: frozenset[str], right: frozenset[str]) -> bool:
    if not left or not right:
        return False
    shared = len(left & right)
    jaccard = shared / len(left | right)
    contained = shared / min(len(left), len(right))
    return jaccard >= SAME_STORY or contained >= CONTAINED


def earlier_report(candidate: frozenset[str], recent: Iterable[Recent]) -> int | None:
    """The delivery of the same story alerted before, if there is one."""
    for alert in recent:
        if same_story(candidate, alert.fingerprint):
            return alert.delivery_id
    return None
