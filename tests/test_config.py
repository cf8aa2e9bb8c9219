"""Configuration: defaults, file, environment, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import (
    SETTINGS,
    ConfigError,
    load_config,
    parse_duration,
    require_token,
)

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
        ("", {"PANTAU_ADMINS": "alice"}, "admins from PANTAU_ADMINS is 'alice'; it must be"),
        ("admins = [0]\n", {}, "admins in {file} is [0]; it must be a list of Telegram user ids"),
        (
            "",
            {"PANTAU_ALLOW_PRIVATE_NETWORKS": "maybe"},
            "allow_private_networks from PANTAU_ALLOW_PRIVATE_NETWORKS is 'maybe'; "
            "it must be true or false (in the environment: 1 or 0)",
        ),
        (
            "timezone = 'Mars/Olympus'\n",
            {},
            "timezone in {file} is 'Mars/Olympus'; it must be an IANA time zone name",
        ),
        ("timezone = 'America'\n", {}, "timezone in {file} is 'America'"),
        ("default_interval = '0s'\n", {}, "it must be a duration from 1s to 1d"),
        ("fetch_timeout = -1\n", {}, "fetch_timeout in {file} is -1; it must be a number of"),
        ("fetch_timeout = true\n", {}, "fetch_timeout in {file} is True"),
        ("log_level = 'LOUD'\n", {}, "log_level in {file} is 'LOUD'; it must be DEBUG, INFO"),
        ("", {"PANTAU_WEBHOOK_URL": "pantau.example/hook"}, "webhook_url from PANTAU_WEBHOOK_URL"),
        ("stop_timeout = 'soon'\n", {}, "stop_timeout in {file} is 'soon'; it must be a duration"),
        ("health_port = 'abc'\n", {}, "health_port in {file} is 'abc'; it must be a whole number"),
        ("commands_per_minute = 2.5\n", {}, "commands_per_minute in {file} is 2.5"),
    ],
)
def test_errors_are_one_clear_line(tmp_path, content, env, expected):
    path = tmp_path / "pantau.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, env)
    assert expected.format(file=path) in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("variable", "value", "allowed"),
    [
        ("PANTAU_HEALTH_PORT", "abc", "a whole number from 0 to 65535"),
        ("PANTAU_HEALTH_PORT", "70000", "a whole number from 0 to 65535"),
        ("PANTAU_WEBHOOK_PORT", "0", "a whole number from 1 to 65535"),
        ("PANTAU_ADMINS", "12, x", "a list of Telegram user ids"),
        ("PANTAU_ALLOW_PRIVATE_NETWORKS", "on", "true or false"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot", "an http(s) URL"),
        ("PANTAU_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING or ERROR"),
        ("PANTAU_LOG_FORMAT", "xml", "text or json"),
        ("PANTAU_LISTEN_ADDRESS", "local host", "an IP address or host name"),
        ("PANTAU_WEBHOOK_URL", "http://pantau.example/hook", "empty (long polling) or an https://"),
    ],
)
def test_every_environment_variable_goes_through_its_settings_parser(variable, value, allowed):
    (declared,) = [s for s in SETTINGS if s.env == variable]
    with pytest.raises(ConfigError) as raised:
        load_config(None, {variable: value})
    expected = f"{declared.name} from {variable} is {value!r}; it must be {allowed}"
    assert str(raised.value).startswith(expected)


def test_environment_values_parse_like_file_values(tmp_path):
    path = tmp_path / "pantau.toml"
    path.write_text("health_port = 9090\nallow_private_networks = true\n", encoding="utf-8")
    from_file = load_config(path, {})
    from_env = load_config(
        None,
        {
            "PANTAU_HEALTH_PORT": "9090",
            "PANTAU_ALLOW_PRIVATE_NETWORKS": "yes",
            "PANTAU_LOG_LEVEL": "debug",
        },
    )
    assert from_file.health_port == from_env.health_port == 9090
    assert from_file.allow_private_networks is from_env.allow_private_networks is True
    assert from_env.log_level == "DEBUG"


@pytest.mark.parametrize(
    "content",
    [
        "retention_days = 100000000\n",
        "max_feed_bytes = 1000000000000\n",
        "fetch_timeout = 1e9\n",
        "fetch_timeout = inf\n",
        "stop_timeout = '999d'\n",
        "failure_alert_after = '99999999999d'\n",
        "article_timeout = '1d'\n",
        "widely_reported_within = '30d'\n",
        "commands_per_minute = 0\n",
        "alerts_per_hour = 1000000\n",
        "max_concurrent_polls = 100000\n",
        "max_per_host = 0\n",
        "widely_reported = 1\n",
        "max_interval = '99999999999d'\n",
    ],
)
def test_numbers_and_durations_are_bounded(tmp_path, content):
    path = tmp_path / "pantau.toml"
    path.write_text(content, encoding="utf-8")
    name = content.partition(" =")[0]
    with pytest.raises(ConfigError, match=rf"^{name} in .* it must be .* from \S+ to \S+"):
        load_config(path, {})


@pytest.mark.parametrize(
    ("content", "lower", "higher"),
    [
        ('min_interval = "2h"\nmax_interval = "1h"\n', "min_interval ('2h'", "default_interval"),
        ('min_interval = "10m"\n', "min_interval ('10m' in", "default_interval ('5m' by default)"),
        (
            'default_interval = "2h"\n',
            "default_interval ('2h' in",
            "max_interval ('1h' by default)",
        ),
    ],
)
def test_intervals_must_be_ordered(tmp_path, content, lower, higher):
    path = tmp_path / "pantau.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, {})
    message = str(raised.value)
    assert message.startswith(lower) and f"is greater than {higher}" in message
    assert message.endswith("they must keep min_interval ≤ default_interval ≤ max_interval")
    path.write_text('min_interval = "1h"\ndefault_interval = "1h"\nmax_interval = "1h"\n')
    assert load_config(path, {}).min_interval == 3600


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


@pytest.mark.parametrize(
    "text", ["0.5s", "abc", "5 minutes", "-1m", "", "99999999999d", "2d", "86401", "9" * 400]
)
def test_bad_durations(text):
    with pytest.raises(ConfigError, match="it must be a duration from 1s to 1d"):
        parse_duration(text)


def _shown_in_readme(default: object) -> str:
    if default == "":
        return "empty"
    if default == []:
        return "none"
    return f"`{default if isinstance(default, str) else json.dumps(default)}`"


def _readme_rows() -> dict[str, list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("\n## Configuration\n")[2].partition("\n## ")[0]
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| `")]
    return {cells[0].strip().strip("`"): [cell.strip() for cell in cells] for cells in rows}


def _shipped_blocks() -> dict[str, list[str]]:
    """The commented-out `key = default` lines of config/pantau.toml, with the comments above."""
    text = (ROOT / "config" / "pantau.toml").read_text(encoding="utf-8")
    blocks = {}
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        key, _, value = lines[-1].removeprefix("# ").partition(" = ")
        if value:
            blocks[key] = [*lines[:-1], value]
    return blocks


def test_readme_configuration_table_matches_the_declarations():
    rows = _readme_rows()
    assert sorted(rows) == sorted(s.name for s in SETTINGS), "README table and SETTINGS differ"
    for setting in SETTINGS:
        expected = [
            f"`{setting.name}`",
            f"`{setting.env}`" if setting.env else "",
            _shown_in_readme(setting.default),
            setting.parse.allowed,
            setting.help,
        ]
        assert rows[setting.name] == expected, f"README row of {setting.name}"


def test_shipped_file_lists_every_setting_with_its_default_bounds_and_variable():
    blocks = _shipped_blocks()
    assert sorted(blocks) == sorted(s.name for s in SETTINGS), "pantau.toml and SETTINGS differ"
    for setting in SETTINGS:
        *comments, value = blocks[setting.name]
        assert value == json.dumps(setting.default), f"default of {setting.name} in pantau.toml"
        comment = " ".join(comments)
        assert f"Allowed: {setting.parse.allowed}." in comment, setting.name
        assert (f"Env: {setting.env}" in comment) == bool(setting.env), setting.name


def test_shipped_file_uncommented_gives_the_defaults(tmp_path):
    lines = [f"{key} = {block[-1]}" for key, block in _shipped_blocks().items()]
    uncommented = tmp_path / "pantau.toml"
    uncommented.write_text("\n".join(lines) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    assert load_config(uncommented, {}) == load_config(empty, {})


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
