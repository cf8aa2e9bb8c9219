"""Settings: each is declared once, as a field of `Config`, and everything else follows from it.

Rules:
- A declaration (`setting(...)`) carries the default as the TOML file would write it, the
  environment variable if any, the parser (which holds the bounds) and the help text. `SETTINGS`,
  the merge below, the error messages and the docs test all read it; nothing repeats it.
- Precedence, lowest first: the declared defaults, the TOML file, environment variables.
  Every value, whatever its origin, goes through its setting's parser.
- The file is `--config PATH`, else `$PANTAU_CONFIG`, else `config/pantau.toml` if it exists.
  An explicitly named file that is missing is an error; the default one may be absent.
- The file is flat (`key = value`); an unknown key is an error, so a typo never goes unnoticed.
- Relative paths in the file (`sources_file`, `aliases_file`) are relative to the file's folder;
  `database` is relative to the working directory, like `$PANTAU_DB`.
- After parsing, cross-setting rules: `min_interval ≤ default_interval ≤ max_interval`.
- The bot token comes only from `$TELEGRAM_BOT_TOKEN`, never from a file that could be committed.
- Every problem is a `ConfigError` whose message is one line a person can act on: the setting,
  where its value came from (file or environment variable) and what is allowed.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Generic, TypeVar, cast, dataclass_transform
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.match.context import ContextRules, RuleError

DEFAULT_CONFIG_PATH = Path("config/pantau.toml")
TOKEN_HELP = "create a bot with @BotFather (https://t.me/BotFather) and export TELEGRAM_BOT_TOKEN"
MINUTE, DAY = 60.0, 86400.0
# The longest interval a source or setting may ask for; the scheduler never waits longer either.
MAX_INTERVAL = DAY
_TOKEN_RE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{30,}$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TRUE, _FALSE = {"1", "true", "yes"}, {"0", "false", "no"}

T = TypeVar("T")
N = TypeVar("N", int, float)
# A value as TOML or an environment variable gives it.
Raw = str | int | float | bool | list[Any]


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and what to do."""


@dataclass(frozen=True)
class Parser(Generic[T]):
    """Turns a value from the file or the environment into a setting's type, within bounds."""

    allowed: str
    convert: Callable[[object], T]  # raises ValueError or TypeError for a value not allowed

    def __call__(self, raw: object, what: str) -> T:
        """The value, or a `ConfigError` naming `what` was given and what is allowed."""
        try:
            return self.convert(raw)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{what} is {_quoted(raw)}; it must be {self.allowed}") from exc


def _quoted(raw: object, limit: int = 60) -> str:
    """The value as given, cut short: an error line stays one readable line."""
    shown = repr(raw)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def format_duration(seconds: float) -> str:
    """The inverse of `parse_duration` for display, in the largest whole unit."""
    for unit in ("d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _bounded(value: N, low: float, high: float) -> N:
    if not low <= value <= high:
        raise ValueError(value)
    return value


def _duration_seconds(raw: object) -> float:
    found = _DURATION_RE.match(str(raw))
    if not found:
        raise ValueError(raw)
    return float(found.group(1)) * _DURATION_UNITS[found.group(2)]


def duration(low: float, high: float) -> Parser[float]:
    """Written "30s", "5m", "2h", "1d" or as plain seconds; from `low` to `high` seconds."""
    return Parser(
        f"a duration from {format_duration(low)} to {format_duration(high)} "
        "(a number with s, m, h or d)",
        lambda raw: _bounded(_duration_seconds(raw), low, high),
    )


def _whole(raw: object) -> int:
    if isinstance(raw, bool | float):
        raise TypeError(raw)
    return int(raw) if isinstance(raw, int) else int(str(raw).strip())


def integer(low: int, high: int) -> Parser[int]:
    return Parser(
        f"a whole number from {low} to {high}", lambda raw: _bounded(_whole(raw), low, high)
    )


def _real(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise TypeError(raw)
    number = float(raw)
    if not math.isfinite(number):
        raise ValueError(raw)
    return number


def seconds(low: float, high: float) -> Parser[float]:
    return Parser(
        f"a number of seconds from {low:g} to {high:g}",
        lambda raw: _bounded(_real(raw), low, high),
    )


def number(low: float, high: float) -> Parser[float]:
    return Parser(f"a number from {low:g} to {high:g}", lambda raw: _bounded(_real(raw), low, high))


def choice(*choices: str, upper: bool = False) -> Parser[str]:
    """One of `choices`; with `upper`, in any case, returned upper-case."""

    def convert(raw: object) -> str:
        text = str(raw).upper() if upper and isinstance(raw, str) else raw
        if text not in choices:
            raise ValueError(raw)
        return str(text)

    return Parser(f"{', '.join(choices[:-1])} or {choices[-1]}", convert)


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return raw.strip().lower() in _TRUE
    raise ValueError(raw)


def _ids(raw: object) -> frozenset[int]:
    items = [p for p in raw.split(",") if p.strip()] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        items = [items]
    return frozenset(_bounded(_whole(item), 1, 2**63 - 1) for item in items)


def _text(check: Callable[[str], bool]) -> Callable[[object], str]:
    def convert(raw: object) -> str:
        if not isinstance(raw, str) or not check(raw):
            raise ValueError(raw)
        return raw

    return convert


def _timezone(raw: object) -> ZoneInfo:
    try:
        return ZoneInfo(_text(bool)(raw))
    except (ZoneInfoNotFoundError, OSError) as exc:  # "America" is a folder of zones
        raise ValueError(raw) from exc


BOOLEAN = Parser("true or false (in the environment: 1 or 0)", _boolean)
USER_IDS = Parser("a list of Telegram user ids", _ids)
PATH = Parser("a file path", lambda raw: Path(_text(bool)(raw)))
HTTP_URL = Parser(
    "an http(s) URL",
    _text(lambda s: urlsplit(s).scheme in {"http", "https"} and bool(urlsplit(s).netloc)),
)
HTTPS_URL_OR_EMPTY = Parser(
    "empty (long polling) or an https:// URL Telegram can reach",
    _text(lambda s: not s or (s.startswith("https://") and len(s) > len("https://"))),
)
HOST = Parser("an IP address or host name", _text(lambda s: bool(s) and " " not in s))
TIMEZONE = Parser("an IANA time zone name, like Asia/Jakarta", _timezone)
INTERVAL = duration(1, MAX_INTERVAL)


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One configurable value: its default, where else it can come from, its bounds, its meaning."""

    name: str
    default: Raw  # as the TOML file writes it; it goes through `parse` like any other value
    parse: Parser[T]
    help: str
    env: str | None = None
    relative: bool = False  # a path relative to the config file's folder


def setting(
    toml_default: Raw,
    parse: Parser[T],
    help: str,
    *,
    env: str | None = None,
    relative: bool = False,
) -> T:
    """Declare a field of `Config`, typed as what `parse` returns, so mypy checks the pair.

    Like `dataclasses.field`, which it wraps: the value's type for checkers, a `Field` at run
    time. The field has no dataclass default: only `load_config` builds a `Config`.
    """
    declared = Setting("", toml_default, parse, help, env, relative)
    return cast(T, field(metadata={"setting": declared}))


@dataclass_transform(frozen_default=True, field_specifiers=(setting,))
def _settings(cls: type[T]) -> type[T]:
    """A frozen dataclass whose fields are declared with `setting`."""
    return dataclass(frozen=True)(cls)


@_settings
class Config:
    """The settings after defaults, file and environment have been merged and checked.

    Only `load_config` builds one; each field's declaration is the setting's one description.
    """

    database: Path = setting(
        "data/pantau.db", PATH, "SQLite file; its folder is created.", env="PANTAU_DB"
    )
    admins: frozenset[int] = setting(
        [],
        USER_IDS,
        "Telegram user ids allowed to run admin commands (env: comma-separated).",
        env="PANTAU_ADMINS",
    )
    allow_private_networks: bool = setting(
        False,
        BOOLEAN,
        "Allow sources on loopback and private addresses.",
        env="PANTAU_ALLOW_PRIVATE_NETWORKS",
    )
    api_base_url: str = setting(
        "https://api.telegram.org/bot",
        HTTP_URL,
        "Bot API server; the token is appended (python-telegram-bot's `base_url`), "
        "e.g. `http://127.0.0.1:8081/bot` for a self-hosted one.",
        env="TELEGRAM_API_BASE_URL",
    )
    sources_file: Path = setting(
        "sources.toml",
        PATH,
        "Sources imported into an empty database on first start, relative to the config file.",
        relative=True,
    )
    aliases_file: Path = setting(
        "aliases.toml",
        PATH,
        "Built-in alias groups for watch terms, relative to the config file; "
        "admins add more with `/alias`.",
        relative=True,
    )
    default_interval: float = setting(
        "5m",
        INTERVAL,
        "First poll interval of a source that names none; "
        "it then adapts to how often the source publishes.",
    )
    min_interval: float = setting(
        "2m", INTERVAL, "Adaptive intervals are never shorter; at most `default_interval`."
    )
    max_interval: float = setting(
        "1h", INTERVAL, "Adaptive intervals are never longer; at least `default_interval`."
    )
    failure_alert_after: float = setting(
        "6h",
        duration(1, 30 * DAY),
        "Admins get one message when a source has failed this long, and one when it recovers.",
    )
    article_timeout: float = setting(
        "10s",
        duration(1, 5 * MINUTE),
        "How long reading new articles' pages may delay their alerts; an article whose page "
        "is not read by then is matched and alerted on the feed's text.",
    )
    article_spacing: float = setting(
        "1s",
        duration(0, MINUTE),
        "Article page requests to one host start at least this far apart "
        "(longer if its robots.txt asks with Crawl-delay).",
    )
    contact_url: str = setting(
        "https://github.com/pantau-bot/pantau",
        HTTP_URL,
        "Where site owners can reach whoever runs this bot; "
        "sent in the User-Agent (`Pantau/0.1 (+URL; news alert bot)`).",
    )
    access: str = setting(
        "open",
        choice("open", "allowlist"),
        "`open`: anyone may use the bot; `allowlist`: only admins, `allowed_users` "
        "and ids added with `/allow`.",
    )
    allowed_users: frozenset[int] = setting(
        [], USER_IDS, "Telegram user ids allowed in allowlist mode."
    )
    commands_per_minute: int = setting(
        20,
        integer(1, 10_000),
        "Commands and button taps a user may send a minute; "
        "past that one warning, then silence for the rest of the minute.",
    )
    alerts_per_hour: int = setting(
        30,
        integer(1, 3600),
        "Alerts a chat gets one by one in an hour; past that, the rest go into the next digest.",
    )
    widely_reported: int = setting(
        4,
        integer(2, 100),
        "Outlets reporting one story within `widely_reported_within` "
        'that mark its alert "Ramai diberitakan".',
    )
    widely_reported_within: float = setting(
        "60m", duration(1, DAY), "The window for `widely_reported`."
    )
    retention_days: int = setting(
        30,
        integer(1, 3650),
        "Articles older than this are pruned daily (never one still waiting to be sent).",
    )
    spike_min_articles: int = setting(
        5,
        integer(1, 1000),
        "Spike alerts: a watch's articles in the last hour must be at least this many "
        "(a quiet watch going from 0 to 2 is no spike).",
    )
    spike_factor: float = setting(
        3.0,
        number(1.5, 100),
        "Spike alerts: and at least this many times the watch's usual for that hour "
        "(its average over the same hours of the previous 14 days).",
    )
    timezone: ZoneInfo = setting(
        "Asia/Jakarta",
        TIMEZONE,
        "Zone for times in alerts (WIB; `Asia/Makassar` WITA, `Asia/Jayapura` WIT).",
    )
    fetch_timeout: float = setting(
        20.0,
        seconds(0.1, 300),
        "Seconds a request (feed, article page, robots.txt) may take in all, "
        "from connecting to the last byte.",
    )
    max_feed_bytes: int = setting(
        10_000_000,
        integer(1_000, 20_000_000),
        "Responses larger than this, decompressed, are abandoned while streaming "
        "(article pages at 3 MB).",
    )
    max_concurrent_polls: int = setting(
        20, integer(1, 100), "Feeds fetched at the same time, at most."
    )
    max_per_host: int = setting(
        2, integer(1, 10), "Requests to one host (and port) at the same time, at most."
    )
    parse_processes: int = setting(
        1,
        integer(0, 8),
        "Worker processes that parse feeds and article pages, so polling uses a second core; "
        "0 parses on threads of the bot's own process (a host with one core).",
    )
    log_level: str = setting(
        "INFO",
        choice("DEBUG", "INFO", "WARNING", "ERROR", upper=True),
        "How much the log says.",
        env="PANTAU_LOG_LEVEL",
    )
    log_format: str = setting(
        "text",
        choice("text", "json"),
        "`json` for one JSON object per line (the token is redacted either way).",
        env="PANTAU_LOG_FORMAT",
    )
    health_port: int = setting(
        8080,
        integer(0, 65535),
        "Local port of `/healthz` (200, or 503 with reasons in JSON) "
        "and `/metrics` (Prometheus); `0` serves neither.",
        env="PANTAU_HEALTH_PORT",
    )
    listen_address: str = setting(
        "127.0.0.1",
        HOST,
        "Address the health and webhook ports listen on; `0.0.0.0` inside a container.",
        env="PANTAU_LISTEN_ADDRESS",
    )
    webhook_url: str = setting(
        "",
        HTTPS_URL_OR_EMPTY,
        "Public URL Telegram posts updates to, behind your reverse proxy "
        "(`pantau run --webhook URL` too); empty means long polling.",
        env="PANTAU_WEBHOOK_URL",
    )
    webhook_port: int = setting(
        8443,
        integer(1, 65535),
        "Local port the webhook listens on; the proxy forwards the URL's path to it.",
        env="PANTAU_WEBHOOK_PORT",
    )
    stop_timeout: float = setting(
        "8s",
        duration(1, 5 * MINUTE),
        "On SIGTERM/SIGINT, how long the alert being sent may take to finish "
        "(`docker stop` waits 10 s before killing).",
    )


SETTINGS: tuple[Setting[Any], ...] = tuple(
    replace(f.metadata["setting"], name=f.name) for f in fields(Config)
)
_BY_NAME = {s.name: s for s in SETTINGS}
# Settings whose values must not decrease from left to right.
ORDERED: tuple[tuple[str, ...], ...] = (("min_interval", "default_interval", "max_interval"),)


def parse_duration(text: str) -> float:
    """A source's interval ("30s", "5m", "2h", "1d" or plain seconds), from 1s to `MAX_INTERVAL`.

    The one parser for intervals from chat (`/interval`), the CLI and sources files, so none
    of them can schedule a source further out than the scheduler will wait.
    """
    return INTERVAL(text, "the interval")


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
    data = _read_file(file_path, explicit)
    base = file_path.parent if file_path.exists() else DEFAULT_CONFIG_PATH.parent
    values: dict[str, Any] = {}
    given: dict[str, str] = {}
    for item in SETTINGS:
        raw, origin = item.default, "by default"
        if item.name in data:
            raw, origin = data[item.name], f"in {file_path}"
        if item.env and env.get(item.env, "").strip():
            raw, origin = env[item.env].strip(), f"from {item.env}"
        value = item.parse(raw, f"{item.name} {origin}")
        values[item.name] = base / value if item.relative else value
        given[item.name] = f"{_quoted(raw)} {origin}"
    _check_order(values, given)
    return Config(**values)


def check_webhook_url(raw: str) -> str:
    """`pantau run --webhook URL`, checked like `webhook_url` (Telegram posts only to HTTPS)."""
    return str(_BY_NAME["webhook_url"].parse(raw, "webhook_url from --webhook"))


def _check_order(values: Mapping[str, Any], given: Mapping[str, str]) -> None:
    """Apply `ORDERED`; `given` says, per setting, the value as written and where it came from."""
    for names in ORDERED:
        for lower, higher in itertools.pairwise(names):
            if values[lower] > values[higher]:
                raise ConfigError(
                    f"{lower} ({given[lower]}) is greater than {higher} ({given[higher]}); "
                    f"they must keep {' ≤ '.join(names)}"
                )


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
    unknown = sorted(set(data) - set(_BY_NAME))
    if unknown:
        raise ConfigError(
            f"unknown setting '{unknown[0]}' in {path}; known settings: {', '.join(sorted(_BY_NAME))}"
        )
    return data


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
