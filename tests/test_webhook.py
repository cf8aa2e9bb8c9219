"""Webhook mode against the fake Bot API: setWebhook with the URL and secret, updates taken
only with Telegram's secret-token header, and no long polling at all."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from bot.telegram.app import webhook_secret
from tests.conftest import TOKEN, bot_env, free_port, run_cli, start_bot, write_config
from tests.feed_server import Page
from tests.feeds import OLD_STORY, rss

PUBLIC_URL = "https://pantau.example/tg/hook"


def post(port: int, update: dict, secret: str | None) -> int:
    """POST an update as Telegram would; return the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/tg/hook", json.dumps(update).encode(), headers
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_listening(port: int, timeout: float = 20.0) -> None:
    """Wait until the bot's webhook server accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_webhook_mode_takes_updates_only_with_the_secret(tmp_path, telegram, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "1s")])
    port = free_port()
    env = {**bot_env(tmp_path, telegram, config), "PANTAU_WEBHOOK_PORT": str(port)}
    bot = start_bot(env, tmp_path / "bot.log", "--webhook", PUBLIC_URL)

    registered = telegram.wait_for(lambda: telegram.webhook)
    secret = webhook_secret(TOKEN)
    assert registered["url"] == PUBLIC_URL
    assert registered["secret_token"] == secret
    assert "my_chat_member" in registered["allowed_updates"]
    wait_listening(port)

    assert post(port, telegram.message_update(8002, "/start"), None) == 403
    assert post(port, telegram.message_update(8003, "/start"), "not-the-secret") == 403
    assert post(port, telegram.message_update(8001, "/start"), secret) == 200
    telegram.wait_for(lambda: telegram.messages_to(8001))
    assert telegram.messages_to(8002) == [] and telegram.messages_to(8003) == []
    assert "getUpdates" not in telegram.calls, "webhook mode must not long-poll"
    assert bot.stop() == 0
    assert TOKEN not in bot.log() and secret not in bot.log()


def test_doctor_reports_what_telegram_says_of_the_webhook(tmp_path, telegram, feeds):
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(tmp_path, [("Uji", feeds.url("/rss"), "5m")])
    env = {**bot_env(tmp_path, telegram, config), "PANTAU_WEBHOOK_URL": PUBLIC_URL}
    before = run_cli("doctor", env=env)
    assert before.returncode == 0, before.stdout
    assert "OK   webhook: not registered yet" in before.stdout

    telegram.webhook = {"url": PUBLIC_URL}
    telegram.webhook_error = "Connection refused"
    refused = run_cli("doctor", env=env)
    assert refused.returncode == 1
    assert (
        f"FAIL webhook: Telegram cannot deliver to {PUBLIC_URL}: Connection refused; "
        "check that the proxy forwards it to 127.0.0.1:8443" in refused.stdout
    )

    telegram.webhook = {"url": "https://other.example/hook"}
    telegram.webhook_error = ""
    other = run_cli("doctor", env=env)
    assert other.returncode == 1 and "another bot running with this token?" in other.stdout

    telegram.webhook = {"url": PUBLIC_URL}
    healthy = run_cli("doctor", env=env)
    assert (
        healthy.returncode == 0
        and f"OK   webhook: Telegram delivers updates to {PUBLIC_URL}" in healthy.stdout
    )
