"""A local HTTP server for feeds and pages: real sockets on 127.0.0.1, content set by the test.

Each path serves a `Page`: status, body, content type and extra headers. A page with an ETag
answers a matching `If-None-Match` with 304. Every request is recorded, so a test can await
"the bot has polled N times" instead of sleeping. A page can answer late (`delay`), or send
its body one byte every `trickle` seconds, as a misbehaving server does; `max_concurrent`
counts the requests held at once by either.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    declare_length: bool = True
    delay: float = 0.0
    trickle: float = 0.0


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float = 0.0  # time.monotonic() when it arrived


class FeedServer:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.pages: dict[str, Page] = {}
        self.requests: list[Request] = []
        self.max_concurrent = 0
        self._active = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve(self, path: str, page: Page) -> None:
        with self._cond:
            self.pages[path] = page

    def count(self, path: str) -> int:
        with self._cond:
            return sum(1 for request in self.requests if request.path == path)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not (value := predicate()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout}s; requests: {self.requests}")
                self._cond.wait(remaining)
            return value

    def wait_requests(self, path: str, at_least: int, timeout: float = 20.0) -> None:
        self.wait_for(lambda: sum(1 for r in self.requests if r.path == path) >= at_least, timeout)

    def _respond(self, path: str, headers: dict[str, str]) -> Page:
        with self._cond:
            page = self.pages.get(path.split("?")[0], Page(b"not found", 404, "text/plain"))
            self.requests.append(Request(path, headers, time.monotonic()))
            self._cond.notify_all()
        etag = page.headers.get("ETag")
        if page.status in (301, 302, 307, 308) and "Location" in page.headers:
            return Page(b"", page.status, page.content_type, page.headers)
        if etag and headers.get("if-none-match") == etag:
            return Page(b"", 304, page.content_type, {"ETag": etag}, delay=page.delay)
        return page

    @contextmanager
    def _held(self) -> Iterator[None]:
        """Count how many slow requests are being answered at the same time."""
        with self._cond:
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                page = server._respond(self.path, headers)
                if page.delay or page.trickle:
                    with server._held():
                        time.sleep(page.delay)
                        self._answer(page)
                else:
                    self._answer(page)

            def _answer(self, page: Page) -> None:
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                if page.declare_length:
                    self.send_header("Content-Length", str(len(page.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not page.trickle:
                    self.wfile.write(page.body)
                    return
                try:
                    for offset in range(len(page.body)):
                        self.wfile.write(page.body[offset : offset + 1])
                        self.wfile.flush()
                        time.sleep(page.trickle)
                except OSError:  # the client gave up, as it should
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler
