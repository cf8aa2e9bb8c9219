"""Settings: one table of (name, default, environment variable, help) drives everything.

Rules:
- Precedence, lowest first: the defaults in `SETTINGS`, the TOML file, environment variables.
- The file is `--config PATH`, else `$PANTAU_CONFIG`, else `config/pantau.toml` if it exists.
  An explicitly named file that is missing is an error; the default one may be absent.
- The file is flat (`key = value`); an unknown key is an error, so a typo never goes unnoticed.
- Relative paths in the file (`sources_file`, `aliases_file`) are relative to the file's folder; `database`
  is relative to the working directory, like `$PANTAU_DB`.
- The bot token comes only from `$TELEGRAM_BOT_TOKEN`, never from a file that could be committed.
- Every problem is a `ConfigError` whose message is one line a person can act on.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.match.context import ContextRules, RuleError

DEFAULT_CONFIG_PATH = Path("config/pantau.toml")
TOKEN_HELP = "create a bot with @BotFather (https://t.me/BotFather) and export TELEGRAM_BOT_TOKEN"
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and what to do."""


@dataclass(frozen=True)
class Setting:
    """One configurable value: where it can come from and what it means."""

    name: str
    default: Any
    env: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("database", "data/pantau.db", "PANTAU_DB", "SQLite file; its folder is created."),
    Setting(
        "admins",
        [],
        "PANTAU_ADMINS",
        "Telegram user ids allowed to run admin commands (env: comma-separated).",
    ),
    Setting(
        "allow_private_networks",
        False,
        "PANTAU_ALLOW_PRIVATE_NETWORKS",
        "Allow sources on loopback and private addresses (env: 1 to allow).",
    ),
    Setting(
        "api_base_url",
        "https://api.telegram.org/bot",
        "TELEGRAM_API_BASE_URL",
        "Bot API server; the token is appended, as python-telegram-bot's base_url.",
    ),
    Setting(
        "sources_file",
        "sources.toml",
        None,
        "Sources imported into an empty database on first start (relative to this file).",
    ),
    Setting(
        "aliases_file",
        "aliases.toml",
        None,
        "Built-in alias groups for watch terms (relative to this file).",
    ),
    Setting(
        "default_interval",
        "5m",
        None,
        "First poll interval of a source that names none; it then adapts to the source.",
    ),
    Setting("min_interval", "2m", None, "Adaptive intervals are never shorter than this."),
    Setting("max_interval", "1h", None, "Adaptive intervals are never longer than this."),
    Setting(
        "failure_alert_after",
        "6h",
        None,
        "Admins get one message when a source has failed this long, and one when it recovers.",
    ),
    Setting("retention_days", 30, None, "Articles older than this are pruned daily."),
    Setting(
        "access",
        "open",
        None,
        "open: anyone may use the bot; allowlist: only admins, allowed_users and ids added with /allow.",
    ),
    Setting("allowed_users", [], None, "Telegram user ids allowed in allowlist mode."),
    Setting(
        "commands_per_minute",
        20,
        None,
        "Commands and button taps a user may send a minute; past that one warning, then silence.",
    ),
    Setting(
        "alerts_per_hour",
        30,
        None,
        "Alerts a chat gets alone in an hour; past that, the rest go into the next digest.",
    ),
    Setting(
        "widely_reported",
        4,
        None,
        "Outlets reporting one story within widely_reported_within that make it widely reported.",
    ),
    Setting("widely_reported_within", "60m", None, "The window for widely_reported."),
    Setting(
        "article_timeout",
        "10s",
        None,
        "How long fetching matched articles for their summary may delay their alerts.",
    ),
    Setting("timezone", "Asia/Jakarta", None, "Time zone in which alerts show times."),
    Setting("fetch_timeout", 20.0, None, "Seconds a feed request may take in all."),
    Setting("max_feed_bytes", 10_000_000, None, "Feed responses larger than this are abandoned."),
    Setting("max_concurrent_polls", 20, None, "Feeds fetched at the same time, at most."),
    Setting("max_per_host", 2, None, "Requests to one host (and port) at the same time, at most."),
    Setting("log_level", "INFO", "PANTAU_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "log_format", "text", "PANTAU_LOG_FORMAT", "text, or json for one JSON object per line."
    ),
    Setting(
        "health_port",
        8080,
        "PANTAU_HEALTH_PORT",
        "Local port of /healthz and /metrics; 0 serves neither.",
    ),
    Setting(
        "listen_address",
        "127.0.0.1",
        "PANTAU_LISTEN_ADDRESS",
        "Address the health and webhook ports listen on; 0.0.0.0 inside a container.",
    ),
    Setting(
        "webhook_url",
        "",
        "PANTAU_WEBHOOK_URL",
        "Public HTTPS URL Telegram posts updates to, behind your proxy; empty: long polling.",
    ),
    Setting(
        "webhook_port",
        8443,
        "PANTAU_WEBHOOK_PORT",
        "Local port the webhook listens on; the proxy forwards the URL's path to it.",
    ),
    Setting(
        "stop_timeout",
        "8s",
        None,
        "On SIGTERM/SIGINT, how long the alert being sent may take to finish (docker stop waits 10s).",
    ),
)


@dataclass(frozen=True)
class Config:
    """The settings after defaults, file and environment have been merged and checked."""

    database: Path
    admins: frozenset[int]
    allow_private_networks: bool
    api_base_url: str
    sources_file: Path
    aliases_file: Path
    default_interval: float
    min_interval: float
    max_interval: float
    failure_alert_after: float
    retention_days: int
    article_timeout: float
    widely_reported: int
    widely_reported_within: float
    alerts_per_hour: int
    commands_per_minute: int
    access: str
    allowed_users: frozenset[int]
    timezone: ZoneInfo
    fetch_timeout: float
    max_feed_bytes: int
    max_concurrent_polls: int
    max_per_host: int
    log_level: str
    health_port: int
    log_format: str
    listen_address: str
    webhook_url: str
    webhook_port: int
    stop_timeout: float


def parse_duration(text: str) -> float:
    """Read "30s", "5m", "2h", "1d" or plain seconds; at least one second."""
    found = _DURATION_RE.match(text)
    if not found:
        raise ConfigError(f"'{text}' is not a duration; write it like 30s, 5m or 1h")
    seconds = float(found.group(1)) * _DURATION_UNITS[found.group(2)]
    if seconds < 1:
        raise ConfigError(f"'{text}' is too short; the shortest interval is 1s")
    return seconds


def format_duration(seconds: float) -> str:
    """The inverse of `parse_duration` for display, in the largest whole unit."""
    for unit in ("d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def require_token(env: Mapping[str, str]) -> str:
    """Return the bot token, or explain in one line how to get one."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError(f"TELEGRAM_BOT_TOKEN is not set: {TOKEN_HELP}")
    if not _TOKEN_RE.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits:letters); "
            "copy it again from @BotFather (https://t.me/BotFather)"
        )
    return token


def load_config(path: Path | None, env: Mapping[str, str]) -> Config:
    """Merge defaults, the TOML file and the environment into a checked `Config`."""
    file_path, explicit = _config_path(path, env)
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    values.update(_read_file(file_path, explicit))
    for setting in SETTINGS:
        if setting.env and env.get(setting.env, "").strip():
            values[setting.name] = _from_env(setting, env[setting.env].strip())
    base = file_path.parent if file_path.exists() else DEFAULT_CONFIG_PATH.parent
    return _build(values, base)


def _config_path(path: Path | None, env: Mapping[str, str]) -> tuple[Path, bool]:
    if path is not None:
        return path, True
    if env.get("PANTAU_CONFIG"):
        return Path(env["PANTAU_CONFIG"]), True
    return DEFAULT_CONFIG_PATH, False


def _read_file(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    known = {s.name for s in SETTINGS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"unknown setting '{unknown[0]}' in {path}; known settings: {', '.join(sorted(known))}"
        )
    return data


def _from_env(setting: Setting, raw: str) -> Any:
    if setting.name == "admins":
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(setting.default, bool):
        if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
            raise ConfigError(f"{setting.env} must be 1 or 0, not '{raw}'")
        return raw.lower() in {"1", "true", "yes"}
    return raw


def _build(values: dict[str, Any], base: Path) -> Config:
    try:
        timezone = ZoneInfo(str(values["timezone"]))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"timezone '{values['timezone']}' is unknown; use an IANA name like Asia/Jakarta"
        ) from exc
    level = str(values["log_level"]).upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError(
            f"log_level '{values['log_level']}' must be DEBUG, INFO, WARNING or ERROR"
        )
    return Config(
        database=Path(str(values["database"])),
        admins=_admins(values["admins"]),
        allow_private_networks=_boolean("allow_private_networks", values),
        api_base_url=str(values["api_base_url"]),
        sources_file=base / str(values["sources_file"]),
        aliases_file=base / str(values["aliases_file"]),
        default_interval=parse_duration(str(values["default_interval"])),
        min_interval=parse_duration(str(values["min_interval"])),
        max_interval=parse_duration(str(values["max_interval"])),
        failure_alert_after=parse_duration(str(values["failure_alert_after"])),
        retention_days=int(_number("retention_days", values, int)),
        article_timeout=parse_duration(str(values["article_timeout"])),
        widely_reported=int(_number("widely_reported", values, int)),
        widely_reported_within=parse_duration(str(values["widely_reported_within"])),
        alerts_per_hour=int(_number("alerts_per_hour", values, int)),
        commands_per_minute=int(_number("commands_per_minute", values, int)),
        access=_access(values["access"]),
        allowed_users=_ids("allowed_users", values["allowed_users"]),
        timezone=timezone,
        fetch_timeout=_number("fetch_timeout", values, float),
        max_feed_bytes=int(_number("max_feed_bytes", values, int)),
        max_concurrent_polls=int(_number("max_concurrent_polls", values, int)),
        max_per_host=int(_number("max_per_host", values, int)),
        log_level=level,
        health_port=int(values["health_port"]),
        log_format=_choice("log_format", values["log_format"], ("text", "json")),
        listen_address=str(values["listen_address"]),
        webhook_url=check_webhook_url(str(values["webhook_url"])),
        webhook_port=int(_number("webhook_port", values, int)),
        stop_timeout=parse_duration(str(values["stop_timeout"])),
    )


def check_webhook_url(raw: str) -> str:
    """Telegram posts only to HTTPS; a URL it would refuse is caught here, not at setWebhook."""
    if raw and not (raw.startswith("https://") and len(raw) > len("https://")):
        raise ConfigError(f"webhook_url must be an https:// URL Telegram can reach, not '{raw}'")
    return raw


def _admins(raw: Any) -> frozenset[int]:
    return _ids("admins", raw)


def _ids(name: str, raw: Any) -> frozenset[int]:
    items = raw if isinstance(raw, list) else [raw]
    try:
        return frozenset(int(item) for item in items)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{name} must be Telegram user ids (numbers), e.g. PANTAU_ADMINS=12345,67890; got {raw}"
        ) from exc


def _access(raw: Any) -> str:
    return _choice("access", raw, ("open", "allowlist"))


def _choice(name: str, raw: Any, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return str(raw)


def _boolean(name: str, values: dict[str, Any]) -> bool:
    value = values[name]
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, not {value!r}")
    return value


def _number(name: str, values: dict[str, Any], kind: type[int] | type[float]) -> float:
    try:
        number = kind(values[name])
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be a number, not {values[name]!r}") from exc
    if number <= 0:
        raise ConfigError(f"{name} must be greater than 0, not {values[name]!r}")
    return number


def read_tables(path: Path, name: str) -> list[dict[str, Any]]:
    """The `[[name]]` tables of a TOML file such as sources.toml; a missing file has none."""
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    tables = data.get(name, [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: write each {name} as a [[{name}]] table")
    return tables


def read_alias_groups(path: Path) -> list[list[str]]:
    """The `[[alias]]` groups of an alias file (`names = [...]`, two or more each)."""
    groups = []
    for number, table in enumerate(read_tables(path, "alias"), start=1):
        names = table.get("names")
        if (
            not isinstance(names, list)
            or len(names) < 2
            or not all(isinstance(n, str) for n in names)
        ):
            raise ConfigError(f"alias #{number} in {path} needs names = [two or more strings]")
        groups.append(names)
    return groups


def read_context_rules(aliases_file: Path) -> ContextRules:
    """The context rules in `context.toml` next to the alias file (none when it is absent)."""
    path = aliases_file.with_name("context.toml")
    if not path.exists():
        return ContextRules()
    try:
        return ContextRules.from_tables(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    except RuleError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
