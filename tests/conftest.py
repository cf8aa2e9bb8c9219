"""Shared fixtures: the fake Bot API server, the feed server, and `pantau run` as a real process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.models import Delivery
from bot.store import DeliveryState, Store
from bot.workers import ParseWorkers
from tests.fake_telegram import FakeTelegram
from tests.feed_server import FeedServer, Page
from tests.feeds import OLD_STORY, rss

os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN = "123456789:AAFakeTokenForPantauTests_0123456789abcdef"
ADMIN = 9001
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# Polls run in tests parse in a worker process, as the bot's do: one per test process, started
# on first use and stopped at exit.
PARSER = ParseWorkers(1)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    server = FeedServer().start()
    yield server
    server.stop()


def shared_fixture(relative: str) -> Path:
    """A file of ../shared/fixtures, or a clean skip where that folder is absent."""
    path = SHARED / "fixtures" / relative
    if not path.exists():
        pytest.skip(f"shared fixture {relative} not available in this clone")
    return path


def write_config(
    folder: Path,
    sources: list[tuple[str, str, str]],
    extra: str = "",
    commands_per_minute: int = 1000,
    parse_processes: int = 0,
) -> Path:
    """A config file and sources file in `folder`; sources are (name, url, interval).

    The bots of these tests parse on threads (`parse_processes = 0`): what they test does not
    depend on where parsing runs, and a worker costs each bot a second interpreter's start.
    `tests/test_workers.py` runs a bot with its worker; the pipeline tests parse in one.
    """
    tables = "".join(
        f'[[source]]\nname = "{name}"\nurl = "{url}"\ninterval = "{interval}"\n\n'
        for name, url, interval in sources
    )
    (folder / "sources.toml").write_text(tables, encoding="utf-8")
    config = folder / "pantau.toml"
    aliases = (ROOT / "config" / "aliases.toml").as_posix()
    config.write_text(
        f'sources_file = "sources.toml"\naliases_file = "{aliases}"\n'
        f"commands_per_minute = {commands_per_minute}\nparse_processes = {parse_processes}\n"
        f"{extra}",
        encoding="utf-8",
    )
    return config


@dataclass
class BotProcess:
    """`pantau run` in a child process, with its stderr kept for the test to read."""

    process: subprocess.Popen[str]
    log_path: Path

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")


def bot_env(tmp_path: Path, telegram: FakeTelegram, config: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PANTAU_", "TELEGRAM_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram.base_url,
        PANTAU_CONFIG=str(config),
        PANTAU_DB=str(tmp_path / "data" / "pantau.db"),
        PANTAU_ALLOW_PRIVATE_NETWORKS="1",
        PANTAU_LOG_LEVEL="DEBUG",
        PANTAU_ADMINS=str(ADMIN),
        PANTAU_HEALTH_PORT="0",
    )
    return env


_started: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True, scope="session")
def _no_bot_left_running() -> Iterator[None]:
    """A test that fails halfway must not leave `pantau run` behind after the session."""
    yield
    while _started:
        process = _started.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def eventually(predicate: Callable[[], Any], timeout: float = 40.0) -> Any:
    """What `predicate` finds once it finds it, for state with no event to await (a database
    another process writes, a process going away): polled every 0.1 s."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return value


def start_bot(env: dict[str, str], log_path: Path, *args: str) -> BotProcess:
    log_file = log_path.open("a", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *args],
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log_file.close()
    _started.append(process)
    return BotProcess(process, log_path)


class ConsoleProcess:
    """`pantau run --console` in a child process, its output collected as it is printed, so a
    test waits for a line instead of polling a file."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self._printed: list[str] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._cond:
                self._printed.append(line)
                self._cond.notify_all()

    def output(self) -> str:
        with self._cond:
            return "".join(self._printed)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Wait until `text` has been printed; return everything printed so far."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while text not in (printed := "".join(self._printed)):
                remaining = deadline - time.monotonic()
                assert remaining > 0 and self.process.poll() is None, printed
                self._cond.wait(min(remaining, 1.0))
            return printed

    def stop(self) -> str:
        """SIGTERM, a clean exit, and everything it printed."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=20)
        self._reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()
        assert code == 0, self.output()
        return self.output()


def start_console(tmp_path: Path, config: Path, *args: str) -> ConsoleProcess:
    """`pantau run --console ARGS` on `config`, with no Telegram and a database in `tmp_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PANTAU_"))}
    env.update(
        PANTAU_CONFIG=str(config),
        PANTAU_DB=str(tmp_path / "c.db"),
        PANTAU_ALLOW_PRIVATE_NETWORKS="1",
        PANTAU_HEALTH_PORT="0",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--console", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _started.append(process)
    return ConsoleProcess(process)


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def free_port() -> int:
    """A local port nothing listens on now, for a server the bot starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_watching(
    tmp_path: Path,
    telegram: FakeTelegram,
    feeds: FeedServer,
    chats: Iterable[int],
    extra: str = "",
    parse_processes: int = 0,
) -> tuple[dict[str, str], BotProcess]:
    """A running bot whose chats watch Korea Utara, its one feed seeded and polled again."""
    chats = list(chats)
    feeds.serve("/rss", Page(rss([OLD_STORY])))
    config = write_config(
        tmp_path,
        [("Uji", feeds.url("/rss"), "1s")],
        extra,
        parse_processes=parse_processes,
    )
    env = bot_env(tmp_path, telegram, config)
    bot = start_bot(env, tmp_path / "bot.log")
    for chat in chats:
        telegram.send_command(chat, "/watch Korea Utara")
    telegram.wait_for(lambda: len({m.chat_id for m in telegram.sent}) == len(chats))
    feeds.wait_requests("/rss", 2)
    return env, bot


def queued_alerts(store: Store) -> list[Delivery]:
    """Every alert waiting to be sent, oldest first, loaded as the deliverer loads them
    (`deliveries_by_id`); which are due now is `store.due_rows`."""
    rows = store.db.execute(
        "SELECT id FROM deliveries WHERE status = ? ORDER BY id", [DeliveryState.PENDING]
    )
    return store.deliveries_by_id([row[0] for row in rows])
