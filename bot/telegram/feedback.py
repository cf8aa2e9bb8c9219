"""The "not relevant" button under alerts, the one-tap fixes it offers, and their undo.

Rules:
- `nr:<alert>`, for anyone who sees the alert: the tap is counted (once per alert, watch and
  user) and answered with where each term of each watch that fired occurred — a snippet
  around each occurrence of the stored text, placed by the matcher itself
  (`QueryMatch.occurrences`, the watch's query parsed with the lexicon in force, context
  rules included, as the live index parses it) — and
  buttons that fix the watch: exclude the phrase around an occurrence (`AS -"AS Roma"`),
  require the term in the headline (`title:AS`), or mute it (the `mute` button of alerts).
- `nrd:<digest part>`, for anyone who sees the digest: the part's articles as buttons, each
  its alert's `nr` (one button under a digest instead of one per article).
- `fix:<fix>` and `revert:<watch>` change a watch, so they are for whoever may use /watch
  (the permission gate: chat admins). A fix's query is parsed again with the current alias
  table when it is applied, and applied only while the watch's query is still the one it was
  offered for; the reply shows the new query. `/list` offers the undo (`revert`), which brings
  back the query the fix replaced. The live index follows through `watches_version`.
- The not-relevant rate of a watch is its alerts flagged out of its alerts sent over
  `WINDOW`; `/list` marks a watch with at least `OFTEN_FLAGGED` flagged alerts making at least
  `OFTEN_RATE` of them; `/stats` shows the `STATS_TOP` highest rates.
- Button data are bounded by the gate's patterns; an alert, fix or watch of another chat, or
  one that is gone, changes nothing and says so.
"""

from __future__ import annotations

import asyncio
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot.compose import shorten
from bot.lexicon import Lexicons
from bot.lookup import stored_document
from bot.match import Document, MatchIndex, Occurrence, Query, QueryError, parse_query
from bot.match.query import AliasTable
from bot.match.text import clean
from bot.models import Watch
from bot.store import Flagged, Store
from bot.telegram.permissions import ID, ButtonKind, Who
from bot.telegram.replies import Replies, reply_to
from bot.texts import text

WINDOW = timedelta(days=7)
OFTEN_FLAGGED = 3
OFTEN_RATE = 0.2
STATS_TOP = 10
SNIPPET_WIDTH = 60
MAX_SPOTS = 4  # occurrences shown per watch
MAX_EXCLUDES = 2  # phrases offered per watch
LABEL_BUDGET = 60
MAX_PICKS = 50  # a digest part's articles offered, within Telegram's 100 buttons
QUERY_BUDGET = 120
_OR = re.compile(r"(?:^|\s)(?:OR|atau)(?:\s|$)", re.IGNORECASE)
_QUOTES = re.compile(r"[\"“”]")


@dataclass(frozen=True, slots=True)
class Spots:
    """What a watch matched in an alert's article, and the fixes it could take."""

    watch: Watch
    occurrences: list[Occurrence]
    fixes: list[tuple[str, str]]  # (kind, new query): kind "exclude" or "title"


class Feedback:
    """The buttons `nr`, `fix` and `revert`, and the not-relevant counts for /list and /stats."""

    def __init__(self, store: Store, lexicons: Lexicons, replies: Replies) -> None:
        self._store = store
        self._lexicons = lexicons
        self._replies = replies

    def buttons(self) -> tuple[ButtonKind, ...]:
        """Seeing where the terms occurred is for anyone; changing the watch as /watch."""
        return (
            ButtonKind("nr", f"nr:{ID}", self.not_relevant, Who.ANYONE),
            ButtonKind("nrd", f"nrd:{ID}", self.pick, Who.ANYONE),
            ButtonKind("fix", f"fix:{ID}", self.fix, Who.CHAT_ADMINS),
            ButtonKind("revert", f"revert:{ID}", self.revert, Who.CHAT_ADMINS),
        )

    async def not_relevant(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Count the tap, then show the occurrences and the fixes."""
        query, user = update.callback_query, update.effective_user
        if query is None or query.data is None or query.message is None or user is None:
            return
        lang = await self._replies.language(update)
        chat_id, delivery_id = query.message.chat.id, int(query.data[3:])
        store, now = self._store, datetime.now(UTC)

        def flag() -> tuple[Document, list[Watch]] | None:
            with store.transaction():
                try:
                    article, watches = store.flagged_alert(chat_id, delivery_id)
                except LookupError:
                    return None
                store.record_tap(delivery_id, [w.id for w in watches], user.id, now)
                return stored_document(article), watches

        found = await store.run(flag)
        if found is None:
            await query.answer(text(lang, "button_stale"))
            return
        document, watches = found
        await query.answer(text(lang, "nr_noted") if watches else text(lang, "nr_gone"))
        if not watches or not isinstance(query.message, Message):
            return
        aliases = await self._lexicons.current()
        spots = await asyncio.to_thread(lambda: [_spots(w, document, aliases) for w in watches])
        offered: list[list[tuple[str, int]]] = []
        for spot in spots:
            ids = []
            for kind, fixed in spot.fixes:
                fix_id = await store.run(
                    store.add_fix, delivery_id, spot.watch.id, spot.watch.query, fixed, now
                )
                ids.append((_label(lang, kind, spot.watch, fixed), fix_id))
            offered.append(ids)
        body = "\n".join(_describe(lang, spots, document))
        rows = []
        for spot, fixes in zip(spots, offered, strict=True):
            rows += [
                [InlineKeyboardButton(label, callback_data=f"fix:{fix_id}")]
                for label, fix_id in fixes
            ]
            if not spot.watch.muted:
                label = text(lang, "mute_button", id=spot.watch.id)
                rows.append([InlineKeyboardButton(label, callback_data=f"mute:{spot.watch.id}")])
        await reply_to(query.message, body, InlineKeyboardMarkup(rows))

    async def pick(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Under a digest part: its articles as buttons, each an alert's "not relevant"."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        lang = await self._replies.language(update)
        chat_id, store = query.message.chat.id, self._store
        alerts = await store.run(store.digest_alerts, chat_id, int(query.data[4:]), MAX_PICKS)
        if not alerts:
            await query.answer(text(lang, "button_stale"))
            return
        await query.answer()
        if not isinstance(query.message, Message):
            return
        rows = [
            [InlineKeyboardButton(shorten(title, LABEL_BUDGET), callback_data=f"nr:{delivery}")]
            for delivery, title in alerts
        ]
        await reply_to(query.message, text(lang, "nr_pick"), InlineKeyboardMarkup(rows))

    async def fix(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Apply a fix offered under a "not relevant" tap."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        lang = await self._replies.language(update)
        chat_id, store = query.message.chat.id, self._store
        fix = await store.run(store.fix_of, chat_id, int(query.data[4:]))
        if fix is None:
            await query.answer(text(lang, "button_stale"))
            return
        try:
            parsed = parse_query(fix.query, await self._lexicons.current())
        except QueryError:
            await query.answer(text(lang, "fix_invalid", query=shorten(fix.query, QUERY_BUDGET)))
            return
        changed = await store.run(
            store.change_query, chat_id, fix.watch.id, fix.base, fix.query, parsed.display
        )
        await _settle(query, lang, changed, "fix_done")

    async def revert(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Undo a watch's last fix (the button in /list)."""
        query = update.callback_query
        if query is None or query.data is None or query.message is None:
            return
        lang = await self._replies.language(update)
        chat_id, watch_id, store = query.message.chat.id, int(query.data[7:]), self._store
        found = await store.run(store.previous_query, chat_id, watch_id)
        if found is None:
            await query.answer(text(lang, "button_stale"))
            return
        current, previous = found
        try:
            parsed = parse_query(previous, await self._lexicons.current())
        except QueryError:
            await query.answer(text(lang, "fix_invalid", query=shorten(previous, QUERY_BUDGET)))
            return
        changed = await store.run(store.revert_query, chat_id, watch_id, current, parsed.display)
        await _settle(query, lang, changed, "reverted")

    async def listing(self, chat_id: int) -> tuple[dict[int, Flagged], set[int]]:
        """For /list: the chat's often flagged watches, and those whose fix can be undone."""
        store = self._store
        since = datetime.now(UTC) - WINDOW
        flagged = await store.run(store.flagged_watches, since, chat_id)
        often = {
            f.watch.id: f for f in flagged if f.flagged >= OFTEN_FLAGGED and f.rate >= OFTEN_RATE
        }
        return often, await store.run(store.undoable_watches, chat_id)


async def stats_lines(store: Store, lang: str) -> list[str]:
    """For /stats: the highest not-relevant rates over `WINDOW`, all chats."""
    flagged = await store.run(store.flagged_watches, datetime.now(UTC) - WINDOW)
    lines = [text(lang, "stats_flagged")]
    lines += [
        text(
            lang,
            "stats_flagged_line",
            rate=round(100 * f.rate),
            id=f.watch.id,
            query=shorten(f.watch.display, 80),
            flagged=f.flagged,
            sent=f.sent,
        )
        for f in flagged[:STATS_TOP]
    ]
    if not flagged:
        lines.append(text(lang, "stats_flagged_none"))
    return lines


async def _settle(query: CallbackQuery, lang: str, changed: Watch | str | None, done: str) -> None:
    """Answer a fix or an undo: the new query, or why nothing changed."""
    if changed is None:
        await query.answer(text(lang, "button_stale"))
        return
    if isinstance(changed, str):
        await query.answer(text(lang, f"fix_{changed}"), show_alert=True)
        return
    await query.answer(text(lang, "fix_done_short", id=changed.id))
    if isinstance(query.message, Message):
        await reply_to(query.message, text(lang, done, id=changed.id, query=changed.display))


def _spots(watch: Watch, document: Document, aliases: AliasTable) -> Spots:
    """Where the watch's terms occur in the document, and the fixes that would change it."""
    try:
        query = parse_query(watch.query, aliases)
    except QueryError:
        return Spots(watch, [], [])
    matches = MatchIndex([(watch, query)]).match(document)
    occurrences = matches[0].occurrences(SNIPPET_WIDTH) if matches else []
    return Spots(watch, occurrences, _fixes(watch, query, occurrences, aliases))


def _fixes(
    watch: Watch, query: Query, occurrences: list[Occurrence], aliases: AliasTable
) -> list[tuple[str, str]]:
    """Exclude a phrase around an occurrence; require an occurring term in the headline. Each
    is a valid query, understood otherwise than the watch is now."""
    candidates: list[tuple[str, str]] = []
    phrases: list[str] = []
    for occurrence in occurrences:
        phrase = " ".join(_QUOTES.sub(" ", occurrence.phrase).split())
        term = _QUOTES.sub("", occurrence.hit.term).strip()
        if phrase.casefold() != term.casefold() and phrase.casefold() not in phrases:
            phrases.append(phrase.casefold())
            candidates.append(("exclude", f'{_grouped(watch.query)} -"{phrase}"'))
    typed = {term.typed: node.typed for node in query.any_of() for term in node.terms}
    in_body = [typed.get(o.hit.term, o.hit.term) for o in occurrences if o.hit.field == "body"]
    for term in dict.fromkeys(in_body):
        if term.startswith("title:"):
            continue
        alone = term == query.display
        fixed = f"title:{term}" if alone else f"{_grouped(watch.query)} title:{term}"
        candidates.append(("title", fixed))
        break
    fixes: list[tuple[str, str]] = []
    excludes = 0
    for kind, fixed in candidates:
        try:
            display = parse_query(fixed, aliases).display
        except QueryError:
            continue
        if display == query.display or (kind == "exclude" and excludes >= MAX_EXCLUDES):
            continue
        excludes += kind == "exclude"
        fixes.append((kind, fixed))
    return fixes


def _grouped(query: str) -> str:
    """The query, bracketed when it has an OR (which binds looser than what is added)."""
    return f"({query})" if _OR.search(query) else query


def _label(lang: str, kind: str, watch: Watch, fixed: str) -> str:
    """A fix's button: plain text, cut to fit."""
    if kind == "exclude":
        phrase = fixed.rpartition(' -"')[2].rstrip('"')
        label = text(lang, "fix_exclude", phrase=phrase)
    else:
        label = text(lang, "fix_title", term=fixed.rpartition("title:")[2])
    return shorten(html.unescape(label), LABEL_BUDGET)


def _describe(lang: str, spots: list[Spots], document: Document) -> list[str]:
    """The reply: per watch, a snippet around each occurrence, the term in bold."""
    fields = {"title": clean(document.title), "body": clean(document.body)}
    lines = [text(lang, "nr_header")]
    for spot in spots:
        lines += [
            "",
            text(
                lang, "nr_watch", id=spot.watch.id, query=shorten(spot.watch.display, QUERY_BUDGET)
            ),
        ]
        if not spot.occurrences:
            lines.append(text(lang, "nr_nowhere"))
        for occurrence in spot.occurrences[:MAX_SPOTS]:
            found = fields[occurrence.hit.field][occurrence.start : occurrence.end]
            before, term, after = _around(occurrence.snippet, found, occurrence.start)
            field = text(lang, f"nr_field_{occurrence.hit.field}")
            if term:
                spot_line = text(
                    lang, "nr_spot", field=field, before=before, term=term, after=after
                )
            else:
                spot_line = text(lang, "nr_spot_plain", field=field, snippet=before)
            lines.append(spot_line)
        hidden = len(spot.occurrences) - MAX_SPOTS
        if hidden > 0:
            lines.append(text(lang, "nr_more", count=hidden))
    if any(spot.fixes or not spot.watch.muted for spot in spots):
        lines += ["", text(lang, "nr_fixes")]
    return lines


def _around(snippet: str, found: str, start: int) -> tuple[str, str, str]:
    """The snippet split around the occurrence: of the places `found` stands in it, the one
    nearest to where the occurrence should be (the snippet starts up to a width before it)."""
    expected = min(start, SNIPPET_WIDTH) + (1 if snippet.startswith("…") else 0)
    places = [m.start() for m in re.finditer(re.escape(found), snippet)] if found else []
    if not places:
        return snippet, "", ""
    at = min(places, key=lambda place: abs(place - expected))
    return snippet[:at], snippet[at : at + len(found)], snippet[at + len(found) :]
