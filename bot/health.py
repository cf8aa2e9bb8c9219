"""Health and metrics over HTTP, for Docker's HEALTHCHECK and Prometheus.

- `GET /healthz`: 200 when the scheduler ticked within `STALE_AFTER` seconds, the database
  answers, and delivery keeps up: no due outbox row (an alert of an active, unpaused chat past
  its `not_before`, a digest part, a notice) has waited more than `STALLED_AFTER` seconds.
  503 otherwise; the body is JSON with the reasons.
- `GET /metrics`: the Prometheus text format of the counters in `METRICS` (prometheus-client).
The server is the standard library's, in a daemon thread on `listen_address` (127.0.0.1 unless
the bot runs in a container); it only reads state the service publishes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

STALE_AFTER = 30.0
STALLED_AFTER = 300.0
POLLS = Counter("pantau_polls_total", "Source polls by outcome", ["outcome"])
FETCH_SECONDS = Histogram("pantau_fetch_seconds", "Time to fetch and parse a feed")
ARTICLES = Counter("pantau_articles_stored_total", "New articles stored")
ALERTS_QUEUED = Counter("pantau_alerts_queued_total", "Alerts put in the outbox")
ALERTS_SENT = Counter("pantau_alerts_sent_total", "Alerts Telegram accepted")
ALERTS_FAILED = Counter("pantau_alerts_failed_total", "Alerts Telegram refused for good")
TOO_MANY = Counter("pantau_telegram_429_total", "429 answers from Telegram")
OUTBOX = Gauge("pantau_outbox_pending", "Alerts waiting to be sent")
OUTBOX_AGE = Gauge("pantau_outbox_oldest_seconds", "Age of the oldest alert waiting to be sent")
MATCHES = Counter("pantau_matches_total", "Article and chat matches, before repeats are set aside")
ARTICLE_PAGES = Counter(
    "pantau_article_pages_total",
    "New articles' pages by outcome: read, empty, late, failed, disallowed, host_busy, backlog",
    ["outcome"],
)
ARTICLE_BACKLOG = Gauge(
    "pantau_article_backlog", "Article page requests waiting or in flight (feed text past it)"
)


class Health:
    """What /healthz reports: the last scheduler tick, whether the database answers, and how
    long the oldest due outbox row has waited (`delivery_waited`, None when none is due)."""

    def __init__(
        self,
        database_ok: Callable[[], bool],
        delivery_waited: Callable[[], float | None] = lambda: None,
    ) -> None:
        self._database_ok = database_ok
        self._delivery_waited = delivery_waited
        self.last_tick = 0.0

    def tick(self) -> None:
        self.last_tick = time.monotonic()

    def status(self) -> tuple[bool, dict[str, Any]]:
        age = time.monotonic() - self.last_tick
        problems = []
        if age > STALE_AFTER:
            problems.append(f"scheduler has not run for {age:.0f}s")
        if not self._database_ok():
            problems.append("database does not answer")
        else:
            waited = self._delivery_waited()
            if waited is not None and waited > STALLED_AFTER:
                problems.append(
                    f"delivery stalled: the oldest due alert has waited {waited:.0f}s "
                    f"(more than {STALLED_AFTER:.0f}s)"
                )
        return not problems, {"ok": not problems, "problems": problems}


def serve(health: Health, address: str, port: int) -> ThreadingHTTPServer:
    """Start the endpoint; the caller shuts the returned server down."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/healthz":
                ok, report = health.status()
                self._answer(200 if ok else 503, "application/json", json.dumps(report).encode())
            elif self.path == "/metrics":
                self._answer(200, CONTENT_TYPE_LATEST, generate_latest())
            else:
                self._answer(404, "text/plain", b"not found")

        def _answer(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer((address, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
