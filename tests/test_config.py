"""Configuration: defaults, file, environment, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SETTINGS, ConfigError, load_config, parse_duration, require_token

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, {})
    assert config.database == Path("data/pantau.db")
    assert config.timezone.key == "Asia/Jakarta"
    assert config.admins == frozenset()
    assert config.allow_private_networks is False
    assert config.default_interval == 300


def test_environment_wins_over_file(tmp_path):
    path = tmp_path / "pantau.toml"
    path.write_text('database = "from-file.db"\nadmins = [7]\n', encoding="utf-8")
    env = {
        "PANTAU_DB": "from-env.db",
        "PANTAU_ADMINS": "1, 2",
        "PANTAU_ALLOW_PRIVATE_NETWORKS": "1",
    }
    config = load_config(path, env)
    assert config.database == Path("from-env.db")
    assert config.admins == frozenset({1, 2})
    assert config.allow_private_networks is True
    assert load_config(path, {}).admins == frozenset({7})


def test_config_file_from_environment_and_relative_sources(tmp_path):
    path = tmp_path / "conf" / "p.toml"
    path.parent.mkdir()
    path.write_text('sources_file = "list.toml"\napi_base_url = "http://127.0.0.1:1/bot"\n')
    config = load_config(None, {"PANTAU_CONFIG": str(path)})
    assert config.sources_file == path.parent / "list.toml"
    assert config.api_base_url == "http://127.0.0.1:1/bot"


@pytest.mark.parametrize(
    ("content", "env", "expected"),
    [
        ("databse = 'x'\n", {}, "unknown setting 'databse'"),
        ("database = \n", {}, "not valid TOML"),
        ("", {"PANTAU_ADMINS": "alice"}, "admins must be Telegram user ids"),
        ("", {"PANTAU_ALLOW_PRIVATE_NETWORKS": "maybe"}, "must be 1 or 0"),
        ("timezone = 'Mars/Olympus'\n", {}, "timezone 'Mars/Olympus' is unknown"),
        ("default_interval = '0s'\n", {}, "the shortest interval is 1s"),
        ("fetch_timeout = -1\n", {}, "fetch_timeout must be greater than 0"),
        ("log_level = 'LOUD'\n", {}, "log_level 'LOUD'"),
        ("", {"PANTAU_WEBHOOK_URL": "pantau.example/hook"}, "webhook_url must be an https://"),
        ("stop_timeout = 'soon'\n", {}, "'soon' is not a duration"),
    ],
)
def test_errors_are_one_clear_line(tmp_path, content, env, expected):
    path = tmp_path / "pantau.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as raised:
        load_config(path, env)
    assert "\n" not in str(raised.value)


def test_named_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", {})


def test_token_missing_malformed_and_valid():
    with pytest.raises(ConfigError, match=r"TELEGRAM_BOT_TOKEN is not set.*BotFather"):
        require_token({})
    with pytest.raises(ConfigError, match="does not look like a bot token"):
        require_token({"TELEGRAM_BOT_TOKEN": "hello"})
    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    assert require_token({"TELEGRAM_BOT_TOKEN": f" {token} "}) == token


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("5m", 300), ("1h", 3600), ("1d", 86400), ("2", 2), ("1s", 1)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0.5s", "abc", "5 minutes", "-1m", ""])
def test_bad_durations(text):
    with pytest.raises(ConfigError):
        parse_duration(text)


def test_every_setting_is_in_the_shipped_file_and_readme():
    shipped = (ROOT / "config" / "pantau.toml").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"# {setting.name} = " in shipped, f"{setting.name} missing from config/pantau.toml"
        assert f"`{setting.name}`" in readme, f"{setting.name} missing from README"
        if setting.env:
            assert setting.env in shipped and setting.env in readme
    assert load_config(ROOT / "config" / "pantau.toml", {}).database == Path("data/pantau.db")


def test_shipped_source_list_is_valid_and_adaptive():
    from bot.sources import read_sources_file

    specs = read_sources_file(ROOT / "config" / "sources.toml", 300)
    assert len(specs) >= 20 and len({s.url for s in specs}) == len(specs)
    names = " ".join(s.name for s in specs)
    for outlet in (
        "ANTARA",
        "detik",
        "Kompas",
        "CNN Indonesia",
        "CNBC",
        "Tempo",
        "Republika",
        "Okezone",
        "Sindonews",
        "Liputan6",
        "Suara",
        "JPNN",
        "VIVA",
        "Tribunnews",
        "Pikiran Rakyat",
        "Zona Surabaya Raya",
    ):
        assert outlet in names, outlet
    assert all(s.adaptive and s.url.startswith("https://") for s in specs)
    assert any("news.google.com/rss/search?q=site%3Azonasurabayaraya.com" in s.url for s in specs)
