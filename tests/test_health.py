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
