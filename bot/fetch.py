"""HTTP for feeds, article pages, robots.txt and discovery: one shared client, one bounded path.

Rules:
- `make_client` is called once per process; the client is passed to whoever fetches.
- Every request, whatever it is for, goes through `Fetcher._request`, which bounds it twice:
  - in time: the client's timeout (`fetch_timeout`) is the deadline for the whole request —
    connecting, waiting, every byte of the body — not for each read, so a server trickling a
    byte a second is cut off like one that never answers;
  - in size: the body is decoded here, layer by layer (`gzip`, `deflate`, in any number), at
    most `STEP` bytes at a time, and abandoned as soon as the decoded bytes pass the cap. A
    declared Content-Length over the cap is refused unread. httpx's own decoding is never used:
    it inflates a whole network chunk at once, and 2 KB of doubly gzipped zeros is 1 GiB.
- Every feed request is conditional when the source has an ETag or Last-Modified; a 304 returns
  a `FetchResult` with no content, so nothing is parsed.
- At most `per_host` requests at a time to one origin (host and port) — feeds, pages and
  robots.txt together — and at most `feeds_at_once` feed polls (`feed_slot`) in all.
- Memory is bounded whatever feeds send, however many are polled at once: a feed body may
  grow past `LARGE_BODY` decoded bytes (a few times a real feed) only while holding one of
  `large_bodies` slots, and keeps it until its poll's feed slot ends, so until it has been
  parsed. A fetch waits for that slot before reading on (the wait does not count against
  `fetch_timeout`). Bodies therefore take at most `feeds_at_once` × `LARGE_BODY` +
  `large_bodies` × `max_bytes`, and at most `large_bodies` large feeds are parsed at once
  (parsing takes several times the body's size).
- A 429 or 503 carries its Retry-After in the error, and holds the whole host's article
  requests until then; a response's Cache-Control max-age or Expires is passed on as
  `fresh_for`, so the schedule can honour it. A 403 says that the outlet may be refusing this
  server's network, since that, not a wrong URL, is the usual reason.
- Article pages (`article`) are polite on top: robots.txt is read once per host (cached a day;
  when it cannot be fetched, everything is allowed, and asked again within the hour) and a
  disallowed page is never requested; article requests to one host go one at a time, each
  starting at least `page_spacing` seconds (or the host's Crawl-delay, if longer) after the
  answer to the one before — so the server sees them that far apart however late the first
  reached it; and at most `page_backlog` article requests wait at once — past that they are
  refused at once, so alerts go out on the feed's text instead of waiting behind a queue that
  cannot keep up. Article pages are capped at `PAGE_MAX_BYTES` (or the feed cap, if lower).
- The origins remembered (limits, robots.txt, Retry-After) are at most `MAX_HOSTS`; past that,
  those not in use are forgotten.
- At most 5 redirects. Unless private networks are allowed, a connection to any address that
  is not globally routable (loopback, private, link-local, CGNAT, multicast, IPv4-mapped forms
  of these) is refused at connect time. The guard resolves the name itself and connects to the
  vetted address, so DNS rebinding cannot slip past it, and each redirect hop is checked the
  same way.

Errors: everything a fetch can fail with is a `FetchError` (`BlockedAddress` and `PageSkipped`
are ones).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import logging
import re
import socket
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import anyio
import httpcore
import httpx

from bot.models import FetchResult

log = logging.getLogger(__name__)
AGENT = "Pantau"
PROJECT_URL = "https://github.com/pantau-bot/pantau"
MAX_REDIRECTS = 5
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.5"
ENCODINGS = "gzip, deflate"  # what `_Layer` can undo; nothing else is asked for
STEP = 64 * 1024  # decoded bytes produced at a time, per content-coding layer
PAGE_MAX_BYTES = 3_000_000  # an article page is ~50-150 KB; more is not an article
ROBOTS_MAX_BYTES = 500_000  # what Google reads of a robots.txt
ROBOTS_TTL = 86_400.0
ROBOTS_RETRY = 3_600.0  # after robots.txt could not be fetched (everything allowed meanwhile)
MAX_HOST_WAIT = 86_400.0  # the longest Retry-After or Crawl-delay honoured
PAGE_BACKLOG = 500
MAX_HOSTS = 5_000  # hosts remembered (limits, robots.txt); idle ones are forgotten past it
LARGE_BODY = 1_000_000  # decoded bytes of a feed before it needs a large-body slot
LARGE_BODIES = 2  # feeds over LARGE_BODY fetched and parsed at once
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.I)


class FetchError(Exception):
    """The feed or page could not be fetched; the message is fit for `/sources`.

    `retry_after` is the wait in seconds a 429 or 503 asked for, if it said; `status` the HTTP
    status of an answer that was not 200 or 304.
    """

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


class BlockedAddress(FetchError):
    """The host resolves to an address that sources may not use."""


class PageSkipped(FetchError):
    """An article page not requested, out of politeness; `reason` names why, for metrics:
    `disallowed` (robots.txt), `host_busy` (the host asked us to wait), `backlog` (too many
    article requests already waiting)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def user_agent(contact_url: str) -> str:
    """Names the bot and where its operator can be reached, as site owners expect."""
    return f"{AGENT}/0.1 (+{contact_url}; news alert bot)"


def is_public_address(address: str) -> bool:
    """True for globally routable addresses, after unmapping IPv4-mapped IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


AddressCheck = Callable[[str, int], bool]


def public_only(address: str, port: int) -> bool:
    return is_public_address(address)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host once and connects only to addresses the check allows."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, allowed: AddressCheck) -> None:
        self._inner = inner
        self._allowed = allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:  # httpx maps httpcore's errors; a bare OSError would escape it
            raise httpcore.ConnectError(f"{host} cannot be resolved ({exc})") from exc
        addresses = [str(info[4][0]) for info in infos]
        allowed = [address for address in addresses if self._allowed(address, port)]
        if not allowed:
            raise BlockedAddress(
                f"{host} resolves to a private or local address ({', '.join(addresses)}); "
                "set PANTAU_ALLOW_PRIVATE_NETWORKS=1 to allow it"
            )
        return await self._inner.connect_tcp(
            allowed[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not sources")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def make_client(
    *,
    timeout: float,
    allow_private_networks: bool,
    allowed: AddressCheck = public_only,
    contact_url: str = PROJECT_URL,
) -> httpx.AsyncClient:
    """The one HTTP client of the process, with the SSRF guard unless private networks are allowed.

    `timeout` is `fetch_timeout`: httpx applies it to each step, `Fetcher` to each request in
    all. `allowed` decides which resolved addresses the guard lets through; tests narrow it to
    one local port to prove that a redirect to any other address is refused.
    """
    # httpx ignores a client's `limits` once it is given a transport: they belong here. A
    # larger keep-alive pool is slower, not faster: httpcore polls every idle connection's
    # socket on each request (`benchmarks/articles.py --feeds 400 --outlets 80`: 22 articles/s
    # with 400 kept alive, 34 with these, httpx's defaults).
    transport = httpx.AsyncHTTPTransport(
        retries=0, limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
    )
    if not allow_private_networks:
        # httpx has no public hook for the connection backend; this private attribute is the
        # one seam (the same the httpx-secure package uses), and a test pins its behaviour.
        pool = transport._pool
        pool._network_backend = GuardedBackend(pool._network_backend, allowed)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
        headers={"User-Agent": user_agent(contact_url), "Accept-Encoding": ENCODINGS},
    )


@dataclass
class _FeedSlot:
    """A poll's feed slot; `large` once its body took a large-body slot of `fetcher`."""

    fetcher: Fetcher
    large: bool = False


_SLOT: ContextVar[_FeedSlot | None] = ContextVar("feed_slot", default=None)


@dataclass
class _Host:
    """What the fetcher remembers of one origin (host and port)."""

    slots: asyncio.Semaphore
    pages: asyncio.Lock = field(default_factory=asyncio.Lock)
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # coroutines using this entry now; an entry in use is never forgotten
    next_page_at: float = 0.0
    not_before: float = 0.0
    robots: RobotFileParser | None = None  # None: everything allowed
    robots_until: float = 0.0

    def spacing(self, minimum: float) -> float:
        asked = self.robots.crawl_delay(AGENT) if self.robots is not None else None
        return max(minimum, min(float(asked or 0), MAX_HOST_WAIT))


class Fetcher:
    """Feeds and pages through the one client, within the limits in the module rules.

    The per-origin bound keeps a site with many feeds from seeing them all at once; the total
    deadline per request is the client's timeout.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        max_bytes: int,
        per_host: int = 2,
        feeds_at_once: int = 20,
        page_spacing: float = 1.0,
        page_backlog: int = PAGE_BACKLOG,
        large_bodies: int = LARGE_BODIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._feed_slots = asyncio.Semaphore(feeds_at_once)
        self._large_bodies = asyncio.Semaphore(large_bodies)
        self._max_bytes = max_bytes
        self._per_host = per_host
        self._deadline = client.timeout.read or 20.0
        self._page_spacing = page_spacing
        self._page_capacity = page_backlog
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self.page_backlog = 0  # article requests waiting or in flight now

    @asynccontextmanager
    async def feed_slot(self) -> AsyncIterator[None]:
        """One of the `feeds_at_once` feed polls, held while a poll fetches and parses its
        feed: a large body fetched in it keeps its large-body slot until this ends."""
        async with self._feed_slots:
            slot = _FeedSlot(self)
            token = _SLOT.set(slot)
            try:
                yield
            finally:
                _SLOT.reset(token)
                if slot.large:
                    self._large_bodies.release()

    async def feed(self, url: str, *, etag: str | None, last_modified: str | None) -> FetchResult:
        """GET a feed politely; raise `FetchError` for anything but 200 or 304. Called in a
        `feed_slot`, a large body stays counted until the slot ends; outside one, until the
        fetch does."""
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        slot = _SLOT.get()
        if slot is None or slot.fetcher is not self:
            slot = _FeedSlot(self)
        try:
            with self._using(url) as host:
                async with host.slots:
                    return await self._request(
                        url, headers, self._max_bytes, host, etag, last_modified, slot
                    )
        finally:
            if slot.large and _SLOT.get() is not slot:
                slot.large = False
                self._large_bodies.release()

    async def page(self, url: str) -> FetchResult:
        """GET any page (for feed discovery), with the same guards as a feed."""
        with self._using(url) as host:
            async with host.slots:
                return await self._request(url, {"Accept": PAGE_ACCEPT}, self._max_bytes, host)

    async def article(self, url: str) -> FetchResult:
        """GET an article page politely (see the module rules), or raise `PageSkipped` or
        another `FetchError`. The caller bounds the whole wait with its own deadline."""
        if self.page_backlog >= self._page_capacity:
            raise PageSkipped("backlog", f"{self.page_backlog} article requests already waiting")
        self.page_backlog += 1
        try:
            with self._using(url) as host:
                self._check_not_held(host)
                if not await self._allowed(url, host):
                    raise PageSkipped("disallowed", "robots.txt disallows it")
                async with host.pages:  # one at a time, `spacing` after the last answer
                    while (wait := host.next_page_at - self._clock()) > 0:
                        await asyncio.sleep(wait)
                    self._check_not_held(host)
                    try:
                        async with host.slots:
                            limit = min(self._max_bytes, PAGE_MAX_BYTES)
                            return await self._request(url, {"Accept": PAGE_ACCEPT}, limit, host)
                    finally:
                        host.next_page_at = self._clock() + host.spacing(self._page_spacing)
        finally:
            self.page_backlog -= 1

    def _check_not_held(self, host: _Host) -> None:
        held = host.not_before - self._clock()
        if held > 0:
            raise PageSkipped("host_busy", f"the site asked to wait {held:.0f} s more")

    async def _allowed(self, url: str, host: _Host) -> bool:
        """What the host's robots.txt (fetched at most once at a time) says of this URL."""
        async with host.robots_lock:
            if host.robots_until <= self._clock():
                host.robots, wait = await self._robots_txt(url, host)
                host.robots_until = self._clock() + wait
        return host.robots is None or host.robots.can_fetch(AGENT, url)

    async def _robots_txt(self, url: str, host: _Host) -> tuple[RobotFileParser | None, float]:
        """The parsed robots.txt of the URL's origin and how long to trust it; None allows all."""
        parts = urlsplit(url)
        location = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            async with host.slots:
                result = await self._request(
                    location, {"Accept": "text/plain"}, ROBOTS_MAX_BYTES, host
                )
        except FetchError as exc:
            # None there (4xx) is an answer; a server or network failure is asked again soon.
            answered = exc.status is not None and 400 <= exc.status < 500
            log.info("robots.txt of %s not read (%s): all allowed", parts.netloc, exc)
            return None, ROBOTS_TTL if answered else ROBOTS_RETRY
        parser = RobotFileParser(location)
        parser.parse((result.content or b"").decode("utf-8", errors="replace").splitlines())
        return parser, ROBOTS_TTL

    def _using(self, url: str) -> _Using:
        origin = httpx.URL(url).netloc.decode().lower()
        host = self._hosts.get(origin)
        if host is None:
            if len(self._hosts) >= MAX_HOSTS:
                self._forget_idle()
            host = self._hosts[origin] = _Host(asyncio.Semaphore(self._per_host))
        return _Using(host)

    def _forget_idle(self) -> None:
        now = self._clock()
        for origin, host in list(self._hosts.items()):
            if host.users == 0 and host.not_before <= now:
                del self._hosts[origin]

    async def _request(
        self,
        url: str,
        headers: dict[str, str],
        max_bytes: int,
        host: _Host,
        etag: str | None = None,
        last_modified: str | None = None,
        feed: _FeedSlot | None = None,
    ) -> FetchResult:
        """One GET within the deadline and the size cap; the caller holds a slot of `host`.
        A `feed` request takes a large-body slot before its body grows past `LARGE_BODY`."""
        try:
            async with (
                asyncio.timeout(self._deadline) as deadline,
                self.client.stream("GET", url, headers=headers) as response,
            ):
                if response.status_code == 304:
                    return _result(response, None, etag, last_modified)
                if response.status_code != 200:
                    error = _status_error(response)
                    if error.retry_after is not None:
                        wait = min(error.retry_after, MAX_HOST_WAIT)
                        host.not_before = max(host.not_before, self._clock() + wait)
                    raise error
                large = None
                if feed is not None and not feed.large:
                    large = functools.partial(self._large_body, feed, deadline)
                content = await _read_capped(response, max_bytes, large)
                return _result(response, content, None, None)
        except TimeoutError as exc:
            raise FetchError(f"timed out: no whole answer within {self._deadline:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from exc

    async def _large_body(self, slot: _FeedSlot, deadline: asyncio.Timeout) -> None:
        """Wait for a large-body slot for this feed. The wait is not the server's: the
        request's deadline stops meanwhile and moves back by as long."""
        loop = asyncio.get_running_loop()
        when = deadline.when()
        deadline.reschedule(None)
        started = loop.time()
        await self._large_bodies.acquire()
        slot.large = True
        if when is not None:
            deadline.reschedule(when + loop.time() - started)


class _Using:
    """Marks a host entry in use for the duration of a `with` block."""

    def __init__(self, host: _Host) -> None:
        self._host = host

    def __enter__(self) -> _Host:
        self._host.users += 1
        return self._host

    def __exit__(self, *_: object) -> None:
        self._host.users -= 1


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    message = f"HTTP {status} {response.reason_phrase}".strip()
    if status == 403:
        message += (
            ": the outlet may be refusing this server's network (some Indonesian outlets "
            "refuse hosts outside Indonesia), rather than the URL being wrong"
        )
    return FetchError(message, retry_after=_retry_after(response), status=status)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 or 503 asks us to wait (Retry-After in seconds or as an HTTP date)."""
    if response.status_code not in (429, 503):
        return None
    return _seconds_until(response.headers.get("retry-after", ""), response)


def _seconds_until(value: str, response: httpx.Response) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    now = _server_now(response)
    return max((moment - now).total_seconds(), 0.0)


def _server_now(response: httpx.Response) -> datetime:
    try:
        return parsedate_to_datetime(response.headers["date"])
    except (KeyError, TypeError, ValueError, IndexError):
        return datetime.now(UTC)


def _freshness(response: httpx.Response) -> float | None:
    """How long the server says the response stays fresh: max-age, else Expires − Date."""
    found = _MAX_AGE.search(response.headers.get("cache-control", ""))
    if found:
        return float(found.group(1))
    expires = response.headers.get("expires")
    return _seconds_until(expires, response) if expires else None


class _Layer:
    """One content coding undone, giving at most `STEP` bytes per step however much the
    input inflates to."""

    def __init__(self, coding: str) -> None:
        if coding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":  # zlib-wrapped by the standard, raw by some servers
            self._inflater = zlib.decompressobj()
        else:
            raise FetchError(f"unsupported Content-Encoding: {coding}")
        self._coding = coding
        self._started = False

    def undo(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._inflate(data)
            while out:
                yield out
                out = self._inflater.decompress(self._inflater.unconsumed_tail, STEP)
        except zlib.error as exc:
            raise FetchError(f"body is not valid {self._coding} ({exc})") from exc

    def _inflate(self, data: bytes) -> bytes:
        try:
            out = self._inflater.decompress(data, STEP)
        except zlib.error:
            if self._started or self._coding != "deflate":
                raise
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, STEP)
        self._started = True
        return out


def _layers(header: str) -> list[_Layer]:
    """The decoders for a Content-Encoding header, outermost (last applied) first."""
    codings = [c.strip().lower() for c in header.split(",") if c.strip()]
    return [_Layer(c) for c in reversed(codings) if c != "identity"]


def _decoded(layers: list[_Layer], data: bytes) -> Iterator[bytes]:
    """The bytes under every layer, produced `STEP` at a time, never all at once."""
    if not layers:
        if data:
            yield data
        return
    for piece in layers[0].undo(data):
        yield from _decoded(layers[1:], piece)


async def _read_capped(
    response: httpx.Response,
    max_bytes: int,
    large: Callable[[], Awaitable[None]] | None = None,
) -> bytes:
    """The decoded body, abandoned past `max_bytes`; `large` is awaited once before it grows
    past `LARGE_BODY`."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"response of {declared} bytes is over the {max_bytes}-byte limit")
    layers = _layers(response.headers.get("content-encoding", ""))
    chunks: list[bytes] = []
    total = 0
    async for raw in response.aiter_raw():
        for piece in _decoded(layers, raw):
            total += len(piece)
            if total > max_bytes:
                raise FetchError(f"response is over the {max_bytes}-byte limit")
            if large is not None and total > LARGE_BODY:
                await large()
                large = None
            chunks.append(piece)
    return b"".join(chunks)


def _result(
    response: httpx.Response,
    content: bytes | None,
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    return FetchResult(
        url=str(response.url),
        content=content,
        content_type=response.headers.get("content-type", ""),
        etag=response.headers.get("etag", etag),
        last_modified=response.headers.get("last-modified", last_modified),
        fresh_for=_freshness(response),
    )
