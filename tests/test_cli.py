"""The `pantau` command: source management offline, and clear errors."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing

import pytest

from bot.cli import main
from bot.store import Store
from tests.conftest import run_cli, write_config


@pytest.fixture
def config(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith(("PANTAU_", "TELEGRAM_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PANTAU_DB", str(tmp_path / "data" / "pantau.db"))
    return write_config(tmp_path, [("ANTARA", "https://www.antaranews.com/rss/terkini.xml", "5m")])


def pantau(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sources_file_is_imported_once_then_the_database_rules(config, capsys):
    code, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert code == 0 and "ANTARA" in out and "5m" in out and "never" in out
    assert pantau(capsys, "sources", "remove", "1", "--config", str(config))[0] == 0
    code, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert "ANTARA" not in out and "no sources" in out


def test_add_list_remove(config, capsys):
    code, out, _ = pantau(
        capsys,
        "--config",
        str(config),
        "sources",
        "add",
        "https://rss.tempo.co/nasional",
        "--name",
        "Tempo",
        "--interval",
        "2s",
    )
    assert code == 0 and "added source 2: Tempo <https://rss.tempo.co/nasional> every 2s" in out
    code, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert "Tempo" in out and "2s" in out
    code, out, _ = pantau(
        capsys, "sources", "add", "https://example.id/feed", "--config", str(config)
    )
    assert "example.id" in out
    assert pantau(capsys, "sources", "remove", "2", "--config", str(config))[0] == 0
    _, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert "Tempo" not in out and "example.id" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sources", "add", "ftp://x.id/rss"], "is not an http(s) URL"),
        (
            ["sources", "add", "https://x.id/rss", "--interval", "0s"],
            "the interval is '0s'; it must be a duration from 1s to 1d",
        ),
        (
            ["sources", "add", "https://x.id/rss", "--interval", "2d"],
            "the interval is '2d'; it must be a duration from 1s to 1d",
        ),
        (
            ["sources", "interval", "1", "99999999999d"],
            "the interval is '99999999999d'; it must be a duration from 1s to 1d",
        ),
        (["sources", "add", "https://www.antaranews.com/rss/terkini.xml"], "already a source"),
        (["sources", "remove", "99"], "there is no source 99"),
        (
            ["run", "--webhook", "http://x.id/hook"],
            "webhook_url from --webhook is 'http://x.id/hook'; it must be empty (long polling) or an https:// URL",
        ),
        (["run", "--console", "--webhook", "https://x.id/hook"], "takes no --webhook"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(config, capsys, args, message):
    code, _, err = pantau(capsys, *args, "--config", str(config))
    assert code == 2 and message in err and err.count("\n") == 1


def test_a_bad_environment_variable_is_one_line_and_exit_2_not_a_traceback(config, tmp_path):
    env = {**os.environ, "PANTAU_HEALTH_PORT": "abc"}
    result = run_cli("run", "--config", str(config), env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "pantau: error: health_port from PANTAU_HEALTH_PORT is 'abc'; "
        "it must be a whole number from 0 to 65535\n"
    )
    assert not (tmp_path / "data").exists(), "nothing should be created before settings are checked"


def test_intervals_out_of_order_stop_every_command(config, capsys):
    with config.open("a", encoding="utf-8") as file:
        file.write('min_interval = "2h"\n')
    code, out, err = pantau(capsys, "sources", "list", "--config", str(config))
    assert code == 2 and not out and err.count("\n") == 1
    assert err.startswith(f"pantau: error: min_interval ('2h' in {config}) is greater than ")
    assert "min_interval ≤ default_interval ≤ max_interval" in err


def test_source_interval_keeps_its_bounds(config, capsys):
    args = ("--config", str(config))
    assert pantau(capsys, "sources", "interval", "1", "1d", *args)[:2] == (0, "source 1 every 1d\n")
    code, _, err = pantau(capsys, "sources", "interval", "1", "86401", *args)
    assert code == 2 and "it must be a duration from 1s to 1d" in err
    _, listing, _ = pantau(capsys, "sources", "list", *args)
    assert "1d" in listing, "a refused interval changes nothing"


def test_run_without_token_explains_where_to_get_one(config, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    result = run_cli("run", "--config", str(config), env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "pantau: error: TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather "
        "(https://t.me/BotFather) and export TELEGRAM_BOT_TOKEN"
    )
    assert not (tmp_path / "data").exists(), "nothing should be created before the token is checked"


def test_run_with_malformed_token(config):
    result = run_cli(
        "run", "--config", str(config), env={**os.environ, "TELEGRAM_BOT_TOKEN": "12345"}
    )
    assert result.returncode == 2 and "does not look like a bot token" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_with_a_token_telegram_refuses_says_so_without_the_token(tmp_path):
    from tests.conftest import TOKEN
    from tests.fake_telegram import FakeTelegram

    other = FakeTelegram("999999:TokenOfAnotherBotThatIsNotOurs_0123456").start()
    try:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": other.base_url,
            "PANTAU_DB": str(tmp_path / "pantau.db"),
            "PANTAU_HEALTH_PORT": "0",
        }
        result = run_cli("run", env=env)
    finally:
        other.stop()
    assert result.returncode == 2
    assert result.stderr.endswith(
        "pantau: error: the Bot API at "
        f"{other.base_url} refused TELEGRAM_BOT_TOKEN; copy it again from @BotFather "
        "(https://t.me/BotFather)\n"
    )
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr


def test_run_without_a_bot_api_to_talk_to_stops_with_one_line(tmp_path):
    from tests.conftest import TOKEN, free_port

    base = f"http://127.0.0.1:{free_port()}/bot"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base,
        "PANTAU_DB": str(tmp_path / "pantau.db"),
        "PANTAU_HEALTH_PORT": "0",
    }
    result = run_cli("run", env=env)
    assert result.returncode == 2
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"pantau: error: could not start with the Bot API at {base} after 3 ")
    assert "ConnectError" in last
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr


def test_pause_resume_interval(config, capsys):
    assert (
        pantau(capsys, "sources", "pause", "1", "--config", str(config))[1] == "paused source 1\n"
    )
    _, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert "paused" in out
    assert pantau(capsys, "sources", "resume", "1", "--config", str(config))[0] == 0
    assert (
        "every 10m" in pantau(capsys, "sources", "interval", "1", "10m", "--config", str(config))[1]
    )
    _, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert "10m" in out and "active" in out
    assert (
        "adapts" in pantau(capsys, "sources", "interval", "1", "auto", "--config", str(config))[1]
    )
    code, _, err = pantau(capsys, "sources", "pause", "42", "--config", str(config))
    assert code == 2 and "no source 42" in err


def test_google_news_source(config, capsys):
    code, out, _ = pantau(capsys, "sources", "add", 'gnews:"Korea Utara"', "--config", str(config))
    assert code == 0 and 'Google News: "Korea Utara"' in out
    assert "news.google.com/rss/search?q=%22Korea+Utara%22&hl=id&gl=ID&ceid=ID:id" in out


def test_opml_and_toml_round_trip(config, capsys, tmp_path):
    pantau(
        capsys,
        "sources",
        "add",
        "https://rss.tempo.co/nasional",
        "--name",
        "Tempo & Co",
        "--config",
        str(config),
    )
    _, opml, _ = pantau(capsys, "sources", "export", "--format", "opml", "--config", str(config))
    assert 'xmlUrl="https://rss.tempo.co/nasional"' in opml and "Tempo &amp; Co" in opml
    _, toml, _ = pantau(capsys, "sources", "export", "--config", str(config))
    assert 'name = "Tempo & Co"' in toml and 'interval = "5m"' in toml
    (tmp_path / "list.opml").write_text(
        opml.replace("https://rss.tempo.co/nasional", "https://www.cnnindonesia.com/nasional/rss"),
        encoding="utf-8",
    )
    (tmp_path / "list.toml").write_text(toml, encoding="utf-8")
    code, out, _ = pantau(
        capsys, "sources", "import", str(tmp_path / "list.opml"), "--config", str(config)
    )
    assert code == 0 and "imported 1 new sources of 2" in out
    assert (
        "imported 0 new sources of 2"
        in pantau(
            capsys, "sources", "import", str(tmp_path / "list.toml"), "--config", str(config)
        )[1]
    )
    _, out, _ = pantau(capsys, "sources", "list", "--config", str(config))
    assert "cnnindonesia.com/nasional/rss" in out


def test_import_refuses_broken_files(config, capsys, tmp_path):
    (tmp_path / "bad.opml").write_text("<opml><body><outline", encoding="utf-8")
    code, _, err = pantau(
        capsys, "sources", "import", str(tmp_path / "bad.opml"), "--config", str(config)
    )
    assert code == 2 and "not valid OPML" in err
    code, _, err = pantau(
        capsys, "sources", "import", str(tmp_path / "none.toml"), "--config", str(config)
    )
    assert code == 2 and "does not exist" in err


def test_backup_is_a_working_copy(config, capsys, tmp_path):
    pantau(capsys, "sources", "add", "https://rss.tempo.co/nasional", "--config", str(config))
    target = tmp_path / "copies" / "pantau.db"
    code, out, _ = pantau(capsys, "backup", str(target), "--config", str(config))
    assert code == 0 and "backed up" in out
    copy = Store.open(target)
    assert [s.url for s in copy.list_sources()][-1] == "https://rss.tempo.co/nasional"
    copy.close()
    code, _, err = pantau(capsys, "backup", str(target), "--config", str(config))
    assert code == 2 and "exists already" in err


def test_restore_brings_back_the_backup_and_refuses_other_files(config, capsys, tmp_path):
    args = ("--config", str(config))
    pantau(capsys, "sources", "add", "https://rss.tempo.co/nasional", *args)
    target = tmp_path / "copy.db"
    assert pantau(capsys, "backup", str(target), *args)[0] == 0
    pantau(capsys, "sources", "add", "https://example.id/feed", *args)
    code, out, _ = pantau(capsys, "restore", str(target), *args)
    assert code == 0 and "restored" in out
    _, listing, _ = pantau(capsys, "sources", "list", *args)
    assert "rss.tempo.co/nasional" in listing and "example.id" not in listing

    (tmp_path / "notes.db").write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    for path, message in (
        (tmp_path / "notes.db", "is not a SQLite database"),
        (other, "is not a Pantau database"),
        (tmp_path / "none.db", "does not exist"),
    ):
        code, _, err = pantau(capsys, "restore", str(path), *args)
        assert code == 2 and message in err
    _, listing, _ = pantau(capsys, "sources", "list", *args)
    assert "rss.tempo.co/nasional" in listing, "a refused restore changes nothing"


def test_doctor(tmp_path, telegram, feeds):
    from tests.conftest import bot_env, write_config
    from tests.feed_server import Page
    from tests.feeds import OLD_STORY, rss

    feeds.serve("/rss", Page(rss([OLD_STORY])))
    feeds.serve("/rusak", Page(b"<html>Just a moment</html>", content_type="text/html"))
    config = write_config(tmp_path, [("Baik", feeds.url("/rss"), "5m")])
    env = bot_env(tmp_path, telegram, config)
    healthy = run_cli("doctor", env=env)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "OK   bot token: accepted by the Bot API as @pantau_test_bot" in healthy.stdout
    assert "OK   database:" in healthy.stdout and "OK   source 1 Baik: 1 items" in healthy.stdout

    assert (
        run_cli("sources", "add", feeds.url("/rusak"), "--name", "Rusak", env=env).returncode == 0
    )
    broken = run_cli("doctor", env={**env, "TELEGRAM_BOT_TOKEN": "salah"})
    assert broken.returncode == 1
    assert "FAIL bot token: TELEGRAM_BOT_TOKEN does not look like a bot token" in broken.stdout
    assert "FAIL source 2 Rusak: not a feed" in broken.stdout


def snapshot(path):
    """What doctor must leave as it found: the database file's bytes and modification time."""
    return path.read_bytes(), path.stat().st_mtime_ns


def test_doctor_on_a_read_only_database_reports_and_changes_nothing(tmp_path, telegram, feeds):
    from tests.conftest import bot_env
    from tests.feed_server import Page
    from tests.feeds import OLD_STORY, rss

    feeds.serve("/rss", Page(rss([OLD_STORY])))
    env = bot_env(tmp_path, telegram, write_config(tmp_path, [("Baik", feeds.url("/rss"), "5m")]))
    assert run_cli("sources", "list", env=env).returncode == 0  # creates and migrates it
    database = tmp_path / "data" / "pantau.db"
    database.chmod(0o444)
    before = snapshot(database)

    report = run_cli("doctor", env=env)
    assert "Traceback" not in report.stderr, report.stderr
    assert "OK   source 1 Baik: 1 items" in report.stdout, "read without writing"
    if os.access(database, os.W_OK):  # root may write whatever the mode says
        assert "OK   database: " in report.stdout and "schema up to date" in report.stdout
    else:
        assert "FAIL database: " in report.stdout and "read-only" in report.stdout
    assert snapshot(database) == before


def test_doctor_reports_pending_migrations_without_applying_them(tmp_path, telegram, feeds):
    from sqlite_utils import Database

    from bot.store import migrations
    from tests.conftest import bot_env

    database = tmp_path / "data" / "pantau.db"
    database.parent.mkdir()
    last = migrations.pending(Database(memory=True))[-1].name
    with closing(sqlite3.connect(database)) as connection:
        migrations.apply(Database(connection), stop_before=last)
    before = snapshot(database)
    env = bot_env(tmp_path, telegram, write_config(tmp_path, []))

    report = run_cli("doctor", env=env)
    assert report.returncode == 0, report.stdout + report.stderr
    assert f"WARN database: {database} has 1 migration(s)" in report.stdout
    assert "pantau run" in report.stdout and "pantau restore" in report.stdout
    assert snapshot(database) == before
    with closing(sqlite3.connect(database)) as connection:
        assert [m.name for m in migrations.pending(Database(connection))] == [last]
