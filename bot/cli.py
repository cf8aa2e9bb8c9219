"""The `pantau` command.

    pantau run                                  start the bot and the poller
    pantau run --console --watch 'Korea Utara'  the same, printing alerts instead (no bot)
    pantau run --webhook https://host/path      updates by webhook instead of long polling
    pantau sources add URL [--name N] [--interval 5m]
    pantau sources list
    pantau sources remove|pause|resume ID
    pantau sources interval ID 5m|auto
    pantau sources import FILE               OPML or TOML
    pantau sources export [--format toml|opml]
    pantau backup PATH                       a consistent copy of the live database
    pantau restore PATH                      replace the database with a backup (bot stopped)
    pantau doctor                            check config, token, database, sources

Every command takes `--config PATH`. Source commands work on the database alone, without a
bot token, also while the bot runs (it reads the schedule from the database every second).
On the first open of a database, the sources file of the configuration is imported.
Errors are one line on stderr and exit code 2; no traceback for a mistake a person can fix.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bot.config import (
    Config,
    ConfigError,
    check_webhook_url,
    format_duration,
    load_config,
    parse_duration,
    require_token,
)
from bot.logs import setup_logging
from bot.sources import make_spec, read_source_list, read_sources_file, to_opml, to_toml
from bot.store import DuplicateSource, NotABackup, Store

SOURCES_IMPORTED = "sources_imported"


class UsageError(Exception):
    """The command asked for something that cannot be done; the message says why."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config, os.environ)
        return int(args.action(config, args))
    except (ConfigError, UsageError) as exc:
        print(f"pantau: error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    config_help = "settings file (default config/pantau.toml)"
    parser = argparse.ArgumentParser(
        prog="pantau", description="Media-monitoring alert bot for Telegram."
    )
    parser.add_argument("--config", type=Path, help=config_help)
    # Subcommands accept --config too; SUPPRESS keeps them from resetting one given earlier.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=config_help)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[common], help="run the bot and the poller")
    run.add_argument(
        "--console", action="store_true", help="no Telegram: print alerts to the terminal"
    )
    run.add_argument(
        "--watch", action="append", default=[], help="with --console: a query to watch"
    )
    run.add_argument(
        "--webhook", metavar="URL", help="receive updates at this public https URL (webhook_url)"
    )
    run.set_defaults(action=_run)
    sources = commands.add_parser("sources", help="manage the news sources")
    source_commands = sources.add_subparsers(dest="sources_command", required=True)
    add = source_commands.add_parser("add", parents=[common], help="add a feed")
    add.add_argument("url", help='RSS or Atom feed URL, or gnews:"search words"')
    add.add_argument("--name", help="display name (default: the host)")
    add.add_argument("--interval", help="poll interval such as 30s, 5m, 1h (default from config)")
    add.set_defaults(action=_sources_add)
    listing = source_commands.add_parser("list", parents=[common], help="list the sources")
    listing.set_defaults(action=_sources_list)
    remove = source_commands.add_parser("remove", parents=[common], help="remove a source")
    remove.add_argument("id", type=int, help="the source's id, as `sources list` shows it")
    remove.set_defaults(action=_sources_remove)
    for name, helping, active in (
        ("pause", "stop polling a source", False),
        ("resume", "poll a paused source again", True),
    ):
        command = source_commands.add_parser(name, parents=[common], help=helping)
        command.add_argument("id", type=int, help="the source's id")
        command.set_defaults(action=_sources_set_active, active=active)
    interval = source_commands.add_parser("interval", parents=[common], help="set an interval")
    interval.add_argument("id", type=int, help="the source's id")
    interval.add_argument("every", help="30s, 5m, 1h … or auto to adapt to the source")
    interval.set_defaults(action=_sources_interval)
    importing = source_commands.add_parser(
        "import", parents=[common], help="add the sources of an OPML or TOML file"
    )
    importing.add_argument("file", type=Path, help="OPML (.opml/.xml) or sources.toml")
    importing.set_defaults(action=_sources_import)
    doctor = commands.add_parser(
        "doctor", parents=[common], help="check configuration, token, database and sources"
    )
    doctor.set_defaults(action=_doctor)
    backup = commands.add_parser(
        "backup", parents=[common], help="copy the database, consistently, even while the bot runs"
    )
    backup.add_argument("path", type=Path, help="where to write the copy")
    backup.set_defaults(action=_backup)
    restore = commands.add_parser(
        "restore", parents=[common], help="replace the database with a backup; stop the bot first"
    )
    restore.add_argument("path", type=Path, help="a file written by pantau backup")
    restore.set_defaults(action=_restore)
    export = source_commands.add_parser("export", parents=[common], help="print the sources")
    export.add_argument("--format", choices=("toml", "opml"), default="toml")
    export.set_defaults(action=_sources_export)
    return parser


@contextmanager
def opened(config: Config) -> Iterator[Store]:
    """The store for one command, closed afterwards."""
    store = open_store(config)
    try:
        yield store
    finally:
        store.close()


def open_store(config: Config) -> Store:
    """Open the database; on its very first open, import the configured sources file."""
    store = Store.open(config.database)
    if store.get_meta(SOURCES_IMPORTED) is None:
        specs = read_sources_file(config.sources_file, config.default_interval)
        with store.transaction():
            store.import_sources(specs, datetime.now(UTC))
            store.set_meta(SOURCES_IMPORTED, datetime.now(UTC).isoformat())
    return store


def _run(config: Config, args: argparse.Namespace) -> int:
    if args.console and args.webhook:
        raise UsageError("--console runs without Telegram, so it takes no --webhook")
    if args.console:
        return _run_console(config, args)
    if args.webhook:
        config = replace(config, webhook_url=check_webhook_url(args.webhook))
    token = require_token(os.environ)
    from bot.telegram.app import StartFailed, run, webhook_secret

    setup_logging(
        config.log_level,
        secrets=(token, webhook_secret(token)),
        as_json=config.log_format == "json",
    )

    with opened(config) as store:
        try:
            run(config, token, store)
        except StartFailed as exc:
            raise UsageError(str(exc)) from None
        except Exception:
            # Through the logger, so the traceback is redacted like every other line.
            logging.getLogger("bot").exception("pantau run stopped by an unexpected error")
            return 1
    return 0


def _sources_add(config: Config, args: argparse.Namespace) -> int:
    spec = make_spec(args.url, args.name, args.interval, config.default_interval)
    with opened(config) as store:
        try:
            source = store.add_source(spec, datetime.now(UTC))
        except DuplicateSource as exc:
            raise UsageError(f"{exc} is already a source") from exc
    print(
        f"added source {source.id}: {source.name} <{source.url}> every {format_duration(source.interval)}"
    )
    return 0


def _sources_list(config: Config, args: argparse.Namespace) -> int:
    with opened(config) as store:
        sources = store.list_sources()
    if not sources:
        print("no sources; add one with: pantau sources add https://example.com/rss")
        return 0
    rows = [("ID", "NAME", "EVERY", "STATE", "LAST OK (UTC)", "ERRORS", "URL")]
    for s in sources:
        last_ok = s.last_success_at.strftime("%Y-%m-%d %H:%M") if s.last_success_at else "never"
        errors = f"{s.error_count} ({s.last_error})" if s.error_count else "0"
        every = (
            f"{format_duration(round(s.effective_interval))} auto"
            if s.adaptive
            else format_duration(s.interval)
        )
        rows.append((str(s.id), s.name, every, s.state, last_ok, errors, s.url))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[-1]
        )
    return 0


def _run_console(config: Config, args: argparse.Namespace) -> int:
    from bot.console import run_console
    from bot.match import QueryError

    setup_logging("WARNING")
    with opened(config) as store:
        try:
            run_console(config, store, args.watch)
        except QueryError as exc:
            raise UsageError(f"--watch: the query is not valid ({exc.code})") from exc
    return 0


def _doctor(config: Config, args: argparse.Namespace) -> int:
    from bot.doctor import run_checks

    checks = asyncio.run(run_checks(config, os.environ))
    print("OK   configuration: loaded")
    for check in checks:
        print(check.line())
    return 0 if all(check.ok for check in checks) else 1


def _backup(config: Config, args: argparse.Namespace) -> int:
    if args.path.exists():
        raise UsageError(f"{args.path} exists already; choose a new file")
    with opened(config) as store:
        store.backup(args.path)
    print(f"backed up {config.database} to {args.path}")
    return 0


def _restore(config: Config, args: argparse.Namespace) -> int:
    if not args.path.is_file():
        raise UsageError(f"{args.path} does not exist")
    try:
        Store.restore(args.path, config.database)
    except NotABackup as exc:
        raise UsageError(f"{exc}; nothing was changed") from exc
    print(f"restored {config.database} from {args.path}; start the bot again")
    return 0


def _sources_set_active(config: Config, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    return _change(
        config,
        args.id,
        lambda s: s.set_source_active(args.id, args.active, now),
        f"{'resumed' if args.active else 'paused'} source {args.id}",
    )


def _sources_interval(config: Config, args: argparse.Namespace) -> int:
    seconds = None if args.every.lower() == "auto" else parse_duration(args.every)
    every = (
        "adapts to how often it publishes"
        if seconds is None
        else f"every {format_duration(seconds)}"
    )
    return _change(
        config,
        args.id,
        lambda s: s.set_source_interval(args.id, seconds),
        f"source {args.id} {every}",
    )


def _sources_remove(config: Config, args: argparse.Namespace) -> int:
    return _change(config, args.id, lambda s: s.remove_source(args.id), f"removed source {args.id}")


def _change(config: Config, source_id: int, change: Callable[[Store], bool], done: str) -> int:
    """Apply one change to one source; a missing source is a usage error."""
    with opened(config) as store:
        if not change(store):
            raise UsageError(f"there is no source {source_id}; see: pantau sources list")
    print(done)
    return 0


def _sources_import(config: Config, args: argparse.Namespace) -> int:
    if not args.file.exists():
        raise UsageError(f"{args.file} does not exist")
    specs = read_source_list(args.file, config.default_interval)
    with opened(config) as store:
        added = store.import_sources(specs, datetime.now(UTC))
    print(f"imported {added} new sources of {len(specs)} in {args.file}")
    return 0


def _sources_export(config: Config, args: argparse.Namespace) -> int:
    with opened(config) as store:
        sources = store.list_sources()
    print(to_opml(sources) if args.format == "opml" else to_toml(sources), end="")
    return 0
