"""The plain values that the stages hand each other.

Rules: frozen dataclasses only, no behaviour beyond trivial properties, no imports from any
stage. Times are timezone-aware `datetime`s in UTC; the database stores them as epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Source:
    """A feed as the database knows it; `next_poll_at` is the whole schedule."""

    id: int
    name: str
    url: str
    interval: float
    active: bool
    seeded: bool
    next_poll_at: datetime
    last_success_at: datetime | None
    error_count: int
    last_error: str | None
    etag: str | None
    last_modified: str | None
    adaptive: bool = False
    effective_interval: float = 0.0
    failing_since: datetime | None = None
    failure_notified: bool = False
    fetch_article: bool = True

    @property
    def state(self) -> str:
        """paused, failing (errors since its last success) or active: one rule for every view."""
        return "paused" if not self.active else "failing" if self.error_count else "active"


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One feed response: `content` is None when the server answered 304 Not Modified.

    `fresh_for` is how many seconds the server says the response stays fresh, if it says.
    """

    url: str
    content: bytes | None
    content_type: str
    etag: str | None
    last_modified: str | None
    fresh_for: float | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed feed: its title, its `ttl` in seconds if it gives one, and its articles."""

    title: str
    ttl: float | None
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class Article:
    """A feed entry, cleaned: `key` is what makes two entries the same article.

    `outlet` and `outlet_url` name the publisher when the feed is an aggregator's (a Google News
    item's `<source url=…>`); `text` is the article page's text once it has been read.
    """

    key: str
    url: str
    title: str
    summary: str
    published_at: datetime | None
    outlet: str = ""
    outlet_url: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class PageText:
    """What an article page yields: its main text, and its publication time if the page says."""

    text: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article once the database has given it an id and tied it to its source.

    `source_name` and `source_url` are its outlet's: the source's, or the outlet an aggregator
    item named. `text` is the page text kept for search (empty when only the feed was read, or
    when the query that loaded it did not ask for it).
    """

    id: int
    source_name: str
    source_url: str
    url: str
    title: str
    summary: str
    published_at: datetime | None
    key: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Watch:
    """What one chat asked to be alerted about: the query as typed and as understood."""

    id: int
    chat_id: int
    query: str
    display: str
    muted: bool = False
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """A match waiting in the outbox: one per (chat, article), naming every watch that fired.

    `terms` are the words and phrases that occurred (for bold type), `summary` the lead chosen
    for this chat; an empty summary falls back to the feed's description.
    """

    chat_id: int
    article: StoredArticle
    watches: tuple[str, ...]
    language: str
    watch_ids: tuple[int, ...] = ()
    terms: tuple[str, ...] = ()
    summary: str = ""
    also: tuple[tuple[str, str], ...] = ()
    widely: bool = False
    previews: bool = False
    timezone: str = ""
    thread_id: int | None = None
    channel_id: int | None = None

    @property
    def target(self) -> int:
        """Where the alert is posted: the chat's channel if it has one, else the chat."""
        return self.channel_id or self.chat_id


@dataclass(frozen=True, slots=True)
class Planned:
    """An alert decided before its article has a database id (it is keyed by article key).

    `duplicate_of` names the delivery of the same story alerted earlier to this chat: the
    article is then added to that alert ("also reported by") instead of sent again.
    """

    chat_id: int
    article_key: str
    watch_ids: tuple[int, ...]
    watches: tuple[str, ...]
    terms: tuple[str, ...]
    summary: str
    duplicate_of: int | None = None
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """How a chat wants its alerts: time zone, digest mode and time, quiet hours, paused."""

    timezone: str = ""
    digest: str = "off"
    digest_at: str = "07:00"
    quiet: str = ""
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Delivery:
    """An outbox row still to be sent (or, sent, to be edited: `message_id` is then set)."""

    id: int
    attempts: int
    alert: Alert
    message_id: int | None = None
    chat: ChatSettings = ChatSettings()
    held_reason: str = ""
    created_at: datetime | None = None
    edit_attempts: int = 0


@dataclass(frozen=True, slots=True)
class DueRow:
    """The oldest due outbox row of a chat, as the deliverer orders and paces rows before it
    loads the few it sends: `kind` "alert" or "message", `target` the chat it goes to."""

    kind: str
    id: int
    target: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """An outbox message that is not an alert: a digest part or an admin notice.

    `target` is where it goes: a digest part follows the chat to its linked channel
    (`channel`), a notice goes to the chat itself. `alerts` is how many alerts a part carries.
    A message with `media` ("photo" or "document") sends `file` as `filename`, with `html` as
    its caption.
    """

    id: int
    kind: str
    chat_id: int
    target: int
    html: str
    thread_id: int | None
    attempts: int
    created_at: datetime
    channel: bool = False
    alerts: int = 0
    media: str = ""
    filename: str = ""
    file: bytes = b""


@dataclass(frozen=True, slots=True)
class HeldChat:
    """A chat with alerts held for its next digest: its settings and the held alerts' summary.

    `boundary` says some of them wait for a scheduled digest (digest mode, a storm) rather
    than only for quiet hours to end or a /resume; `due_at` is when the digest is due, None
    while it is still to be worked out.
    """

    chat_id: int
    language: str
    settings: ChatSettings
    held_since: datetime
    boundary: bool
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class RecentAlert:
    """An alert of the last hours, as story comparison needs it."""

    delivery_id: int
    chat_id: int
    title: str
    summary: str


@dataclass(frozen=True, slots=True)
class Stats:
    """The figures `/stats` shows an admin; "today" starts at midnight in the bot's zone."""

    sources_active: int
    sources_failing: int
    sources_paused: int
    articles_today: int
    alerts_sent_today: int
    alerts_failed_today: int
    queued: int
    held: int
    database_bytes: int


@dataclass(frozen=True, slots=True)
class OutletDay:
    """Matching articles of one outlet on one local day ("YYYY-MM-DD")."""

    day: str
    outlet: str
    articles: int


@dataclass(frozen=True, slots=True)
class DayBounds:
    """A local day as epoch seconds [start, end): days follow the zone, DST included."""

    day: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Headline:
    """An article as coverage views list it: headline, link, outlet and its time."""

    title: str
    url: str
    outlet: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One matching article of a report: when, where, what, and which watches and terms."""

    at: datetime
    outlet: str
    title: str
    url: str
    watches: tuple[str, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CoverageWatch:
    """A watch with what spike alerts and reports need of its chat."""

    watch: Watch
    language: str
    chat: ChatSettings
    active: bool
    spike_alerts: bool


@dataclass(frozen=True, slots=True)
class WeeklyChat:
    """A chat with the weekly report on: its zone, and when the next report is due (None:
    to be worked out, also when the zone it was worked out in is no longer the chat's)."""

    chat_id: int
    language: str
    timezone: str
    due_at: datetime | None
    paused: bool = False
