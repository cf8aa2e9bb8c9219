"""/healthz's verdict: a stale scheduler or a silent database is unhealthy, and says why."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from bot.health import Health, serve


def test_healthy_after_a_tick():
    health = Health(lambda: True)
    health.tick()
    assert health.status() == (True, {"ok": True, "problems": []})


def test_stale_scheduler_and_dead_database_are_reported():
    ok, report = Health(lambda: False).status()
    assert not ok
    assert report["problems"][0].startswith("scheduler has not run for")
    assert report["problems"][1] == "database does not answer"


def test_the_endpoint_answers_503_with_reasons():
    server = serve(Health(lambda: True), "127.0.0.1", 0)
    try:
        port = server.server_address[1]
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert raised.value.code == 503
        assert "scheduler has not run" in json.loads(raised.value.read())["problems"][0]
        raised.value.close()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/elsewhere", timeout=5)
        assert missing.value.code == 404
        missing.value.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_stalled_outbox_is_unhealthy_and_says_why(tmp_path):
    from datetime import UTC, datetime, timedelta

    from bot.deliver import delivery_waited
    from bot.models import Article, Planned
    from bot.sources import SourceSpec
    from bot.store import Store

    store = Store.open(tmp_path / "pantau.db")
    then = datetime.now(UTC) - timedelta(minutes=10)
    source = store.add_source(SourceSpec("Uji", "https://x.id/rss", 60), then)
    articles = store.save_articles(
        source, [Article(f"k{n}", f"https://x.id/{n}", "Berita", "", then) for n in range(3)], then
    )
    for chat in (1, 2, 3):
        store.ensure_chat(chat, "private", "id", "", then)
    store.enqueue(
        [Planned(c, a.key, (), ("x",), (), "") for c, a in zip((1, 2, 3), articles, strict=True)],
        articles,
        then,
    )
    health = Health(lambda: store.answers(within=2), lambda: delivery_waited(store, 2))
    health.tick()
    server = serve(health, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_address[1]}/healthz"
    try:
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(url, timeout=5)
        assert raised.value.code == 503
        [problem] = json.loads(raised.value.read())["problems"]
        raised.value.close()
        assert problem.startswith("delivery stalled: the oldest due alert has waited 6")

        [first, second, third] = store.due_deliveries(datetime.now(UTC))
        store.mark_sent(first.id, 1, datetime.now(UTC))
        store.set_paused(second.alert.chat_id, True)
        store.defer(third.id, datetime.now(UTC) + timedelta(minutes=5), "retry later")
        with urllib.request.urlopen(url, timeout=5) as answer:
            assert json.loads(answer.read()) == {"ok": True, "problems": []}, (
                "sent, paused and deferred alerts are not a stall"
            )
    finally:
        server.shutdown()
        server.server_close()
        store.close()
