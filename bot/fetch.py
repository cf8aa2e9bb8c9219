"""HTTP for feeds: one shared client, conditional GET, a streaming size cap, the SSRF guard.

Rules:
- `make_client` is called once per process; the client is passed to whoever fetches.
- Every request is conditional when the source has an ETag or Last-Modified; a 304 returns
  a `FetchResult` with no content, so nothing is parsed.
- At most 5 redirects; a body larger than `max_bytes` is abandoned while streaming and the
  rest is never read (decoded bytes are counted, so a gzip bomb is caught too).
- Unless private networks are allowed, a connection to any address that is not globally
  routable (loopback, private, link-local, CGNAT, multicast, IPv4-mapped forms of these) is
  refused at connect time. The guard resolves the name itself and connects to the vetted
  address, so DNS rebinding cannot slip past it, and each redirect hop is checked the same way.

Errors: everything a fetch can fail with is a `FetchError` (`BlockedAddress` is one).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx

from bot.models import FetchResult

USER_AGENT = "Pantau/0.1 (+https://github.com/pantau-bot/pantau; news alert bot)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The feed could not be fetched; the message is fit for `/sources`."""


class BlockedAddress(FetchError):
    """The host resolves to an address that sources may not use."""


def is_public_address(address: str) -> bool:
    """True for globally routable addresses, after unmapping IPv4-mapped IPv6."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves each host once and connects only to public addresses."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        with anyio.fail_after(timeout):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [str(info[4][0]) for info in infos]
        allowed = [address for address in addresses if is_public_address(address)]
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


def make_client(*, timeout: float, allow_private_networks: bool) -> httpx.AsyncClient:
    """The one HTTP client of the process, with the SSRF guard unless private networks are allowed."""
    transport = httpx.AsyncHTTPTransport(retries=0)
    if not allow_private_networks:
        # httpx has no public hook for the connection backend; this private attribute is the
        # one seam (the same the httpx-secure package uses), and a test pins its behaviour.
        pool = transport._pool
        pool._network_backend = GuardedBackend(pool._network_backend)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        trust_env=False,
        headers={"User-Agent": USER_AGENT},
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    max_bytes: int,
) -> FetchResult:
    """GET a feed politely; raise `FetchError` for anything but 200 or 304."""
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        async with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return _result(response, None, etag, last_modified)
            if response.status_code != 200:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase}".strip())
            content = await _read_capped(response, max_bytes)
            return _result(response, content, None, None)
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"more than {MAX_REDIRECTS} redirects") from exc
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc


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
    )
