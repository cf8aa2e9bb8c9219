"""Synthetic coverage histories for the insights tests: articles from named outlets at given
times, stored and matched the way a poll stores and matches them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime

from bot.models import Article, Planned, Source, Watch
from bot.sources import SourceSpec
from bot.store import Store

_keys = itertools.count(1)


def outlet(store: Store, name: str, now: datetime) -> Source:
    """The source named `name`, added if new."""
    for source in store.list_sources():
        if source.name == name:
            return source
    path = name.lower().replace(" ", "-")  # paused, and nothing listens there anyway
    source = store.add_source(SourceSpec(name, f"http://127.0.0.1:9/{path}", 300), now)
    store.set_source_active(source.id, False, now)
    return source


def watch(store: Store, chat_id: int, query: str, now: datetime, display: str = "") -> Watch:
    store.ensure_chat(chat_id, "private", "id", "Analis", now)
    return store.add_watch(chat_id, query, display or f'"{query}"', now)[0]


def publish(
    store: Store,
    watches: Iterable[Watch],
    source_name: str,
    at: datetime,
    title: str = "",
    terms: tuple[str, ...] = ("Korea Utara",),
) -> int:
    """One article from `source_name` published and stored at `at`, matched by `watches`
    (recorded as a poll records it); returns its id."""
    key = f"k{next(_keys)}"
    source = outlet(store, source_name, at)
    headline = title or f"Berita {key} dari {source_name}"
    article = Article(key, f"https://{key}.example/{key}", headline, "ringkasan", at)
    stored = store.save_articles(source, [article], at)
    chosen = list(watches)
    planned = [Planned(w.chat_id, key, (w.id,), (w.display,), terms, "ringkasan") for w in chosen]
    store.record_matches(planned, stored)
    return stored[0].id


def fold_all(store: Store, zone: str = "Asia/Jakarta") -> set[int]:
    live: set[int] = set()
    while True:
        found, count = store.fold_matches(zone)
        live |= found
        if not count:
            return live
