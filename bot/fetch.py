"""HTTP for feeds: one shared client, conditional GET, a streaming size cap, the SSRF guard.

Rules:
- `make_client` is called once per process; the client is passed to whoever fetches.
- Every request is conditional when the source has an ETag or Last-Modified; a 304 returns
  a `FetchResult` with no content, so nothing is parsed.
- At most `per_host` requests at a time to one origin (host and port), whatever the number of
  sources there.
- A 429 or 503 carries its Retry-After in the error; a response's Cache-Control max-age or
  Expires is passed on as `fresh_for`, so the schedule can honour it.
- At most 5 redirects; a body larger than `max_bytes` is abandoned while streaming and the
  rest is never read (decoded bytes are counted, so a gzip bomb is caught too).
- Unless private networks are allowed, a connection to any address that is not globally
  routable (loopback, private, link-local, CGNAT, multicast, IPv4-mapped forms of these) is
  refused at connect time. The guard resolves the name itself and connects to the vetted
  address, so DNS rebinding cannot slip past it, and each redirect hop is checked the same way.

Errors: everything a fetch can fail with is a `FetchError` (`BlockedAddress` is one).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import anyio
import httpcore
import httpx

from bot.models import FetchResult

USER_AGENT = "Pantau/0.1 (+https://github.com/pantau-bot/pantau; news alert bot)"
MAX_REDIRECTS = 5
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml, application/xml;q=0.9, */*;q=0.5"
_MAX_AGE = re.compile(r"max-age\s*=\s*(\d+)", re.I)


class FetchError(Exception):
    """The feed could not be fetched; the message is fit for `/sources`.

    `retry_after` is the wait in seconds a 429 or 503 asked for, if it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BlockedAddress(FetchError):
    """The host resolves to an address that sources may not use."""


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
    *, timeout: float, allow_private_networks: bool, allowed: AddressCheck = public_only
) -> httpx.AsyncClient:
    """The one HTTP client of the process, with the SSRF guard unless private networks are allowed.

    `allowed` decides which resolved addresses the guard lets through; tests narrow it to one
    local port to prove that a redirect to any other address is refused.
    """
    transport = httpx.AsyncHTTPTransport(retries=0)
    if not allow_private_networks:
        # httpx has no public hook for the connection backend; this private attribute is the
        # one seam (the same the httpx-secure package uses), and a test pins its behaviour.
        pool = transport._pool
        pool._network_backend = GuardedBackend(pool._network_backend, allowed)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


class Fetcher:
    """Feeds and pages through the one client, at most `per_host` requests at a time per origin.

    The overall bound is the client's connection limit plus the poller's concurrency; the
    per-origin bound keeps a site with many feeds from seeing them all at once.
    """

    def __init__(self, client: httpx.AsyncClient, *, max_bytes: int, per_host: int = 2) -> None:
        self.client = client
        self._max_bytes = max_bytes
        self._per_host = per_host
        self._origins: dict[str, asyncio.Semaphore] = {}

    async def feed(self, url: str, *, etag: str | None, last_modified: str | None) -> FetchResult:
        """GET a feed politely; raise `FetchError` for anything but 200 or 304."""
        headers = {"Accept": FEED_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, headers, etag, last_modified)

    async def page(self, url: str) -> FetchResult:
        """GET any page (for feed discovery), with the same guards."""
        return await self._get(url, {"Accept": PAGE_ACCEPT}, None, None)

    async def _get(
        self, url: str, headers: dict[str, str], etag: str | None, last_modified: str | None
    ) -> FetchResult:
        origin = self._origins.setdefault(
            httpx.URL(url).netloc.decode(), asyncio.Semaphore(self._per_host)
        )
        async with origin:
            try:
                async with self.client.stream("GET", url, headers=headers) as response:
                    if response.status_code == 304:
                        return _result(response, None, etag, last_modified)
                    if response.status_code != 200:
                        raise FetchError(
                            f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                            retry_after=_retry_after(response),
                        )
                    content = await _read_capped(response, self._max_bytes)
                    return _result(response, content, None, None)
            except httpx.TooManyRedirects as exc:
                raise FetchError(f"more than {MAX_REDIRECTS} redirects") from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out ({type(exc).__name__})") from exc
            except httpx.InvalidURL as exc:
                raise FetchError(f"invalid URL: {exc}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{type(exc).__name__}: {exc}") from exc


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


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"response of {declared} bytes is over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"response is over the {max_bytes}-byte limit")
        chunks.append(chunk)
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
