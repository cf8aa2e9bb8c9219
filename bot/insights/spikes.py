"""Spike alerts: when a watch's last hour is far above its own usual for that time of day.

The rule (thresholds are settings, documented in the README):
- the burst is the number of the watch's matching articles in the 60 minutes before now (by
  their time, so an old article a feed re-publishes is no burst);
- the usual is the watch's average per hour over the same clock hour and the one before it on
  each of the previous `BASELINE_DAYS` days (news has a daily rhythm: 3 a.m. is not 9 a.m.);
- it is a spike when the burst is at least `min_articles` (a quiet watch going from 0 to 2 is
  no spike) and at least `factor` times the usual (a busy watch's busy hour is none either).
A spike is alerted once: while checks keep finding the watch above the rule, with no hour
without one between them, it is the same spike (`Store.claim_spike`).
"""

from __future__ import annotations

from dataclasses import dataclass

BASELINE_DAYS = 14
BASELINE_HOURS = 2 * BASELINE_DAYS  # two clock hours a day
HEADLINES = 3


@dataclass(frozen=True, slots=True)
class SpikeRule:
    """The thresholds (`spike_min_articles`, `spike_factor`)."""

    min_articles: int = 5
    factor: float = 3.0

    def usual(self, baseline: int) -> float:
        """Articles per hour usual at this time of day, from the baseline hours' total."""
        return baseline / BASELINE_HOURS

    def is_spike(self, last_hour: int, baseline: int) -> bool:
        return last_hour >= self.min_articles and last_hour >= self.factor * self.usual(baseline)
