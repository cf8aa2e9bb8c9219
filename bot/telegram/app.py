"""The python-telegram-bot application: builder, handler registration, lifecycle.

Rules:
- Long polling is how updates arrive, unless `webhook_url` is set: then python-telegram-bot's
  webhook server listens on `listen_address:webhook_port` at the URL's path, registers the URL
  with setWebhook, and refuses (403) any request without Telegram's secret-token header. The
  secret is derived from the bot token, so it survives restarts and needs no setting of its
  own. Either way pending updates are kept across restarts, so a command sent while the bot was
  down is still answered.
- The service (polling and delivery) starts in `post_init`, once the event loop runs, and
  stops in `post_stop`, while the bot can still send (`post_shutdown` too, for a stop that came
  before the bot was running); SIGINT and SIGTERM stop both cleanly.
- Start-up gives up after `BOOTSTRAP_RETRIES` failed attempts to reach the Bot API, and at once
  on a refused token, with one line (`StartFailed`) instead of a traceback.
- Every update passes the throttle (allowlist and command rate, handler group -2), then the
  permission gate (`permissions`, group -1), before any handler: commands and buttons are
  registered from the same tables the gate reads.
- Replies default to HTML with link previews off.
- The command menu is registered in Indonesian (default) and English.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Config
from bot.logs import REDACTED
from bot.service import Service
from bot.store import Store
from bot.telegram.admin import AdminCommands
from bot.telegram.handlers import FLOW_ASK, FLOW_CONFIRM, Handlers
from bot.telegram.insights import InsightCommands
from bot.telegram.permissions import ButtonKind, Command, Gate
from bot.telegram.replies import send
from bot.telegram.sender import TelegramSender
from bot.texts import CATALOGUES, DEFAULT_LANGUAGE, language_of, text

log = logging.getLogger(__name__)
BOOTSTRAP_RETRIES = 3
if TYPE_CHECKING:
    from typing import Any

    from telegram.ext import ExtBot, JobQueue

    App = Application[
        ExtBot[None],
        ContextTypes.DEFAULT_TYPE,
        dict[Any, Any],
        dict[Any, Any],
        dict[Any, Any],
        JobQueue[ContextTypes.DEFAULT_TYPE],
    ]


def build_application(config: Config, token: str, store: Store, service: Service) -> App:
    """Wire handlers and the service's lifecycle into an Application."""

    async def allowed(user_id: int) -> bool:
        return (
            config.access == "open"
            or user_id in config.admins
            or user_id in config.allowed_users
            or await store.run(store.is_allowed, user_id)
        )

    handlers = Handlers(store, service.lexicons, config.commands_per_minute, allowed)
    admin = AdminCommands(
        store,
        service.discover,
        config.default_interval,
        config.timezone,
        service.article_backlog,
        service.lexicons,
    )
    insights = InsightCommands(
        store,
        service.trends,
        service.reports,
        handlers.replies,
        service.lexicons,
    )
    commands = (*handlers.commands(), *insights.commands(), *admin.commands())
    buttons = {button.kind: button for button in handlers.buttons()}
    gate = Gate(commands, buttons.values(), config.admins, handlers.replies.answer)

    async def post_init(app: App) -> None:
        await _register_menu(app, commands)
        await service.start(TelegramSender(app.bot))

    async def post_stop(app: App) -> None:
        await service.stop()

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(config.api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=config.timezone,
            )
        )
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_stop)
        .build()
    )
    app.add_handler(TypeHandler(Update, handlers.throttle), group=-2)
    app.add_handler(TypeHandler(Update, gate.check), group=-1)
    by_name = {command.name: command for command in commands}
    with warnings.catch_warnings():
        # The flow is tracked per chat and user, as intended; PTB warns that its button is
        # then not tracked per message, which is what we want for a one-question flow.
        warnings.filterwarnings("ignore", message="If 'per_message=False'")
        flow = ConversationHandler(
            entry_points=[CommandHandler("watch", by_name["watch"].handler)],
            states={
                FLOW_ASK: [MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.flow_keywords)],
                FLOW_CONFIRM: [_button_handler(buttons["flow"])],
            },
            fallbacks=[CommandHandler("cancel", by_name["cancel"].handler)],
            per_message=False,
        )
    app.add_handler(flow)
    for command in commands:
        if command.name != "watch":
            app.add_handler(CommandHandler(command.name, command.handler))
    for button in buttons.values():
        if button.kind != "flow":
            app.add_handler(_button_handler(button))
    app.add_handler(CallbackQueryHandler(handlers.stale))
    app.add_handler(ChatMemberHandler(handlers.membership, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.migrated))
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, handlers.unknown))
    app.add_error_handler(_log_error)
    return app


def _button_handler(button: ButtonKind) -> CallbackQueryHandler[ContextTypes.DEFAULT_TYPE, object]:
    return CallbackQueryHandler(button.handler, pattern=f"^(?:{button.pattern})$")


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a handler's exception and tell the user in one line; the bot keeps running."""
    log.error("update %s failed", getattr(update, "update_id", None), exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        user = update.effective_user
        language = language_of(user.language_code if user else None)
        try:
            await send(update, text(language, "error_generic"))
        except TelegramError:
            log.warning("could not tell the user about the failed update")


async def _register_menu(app: App, commands: tuple[Command, ...]) -> None:
    for language in CATALOGUES:
        menu = [BotCommand(c.name, text(language, c.description_key)) for c in commands if c.menu]
        code = None if language == DEFAULT_LANGUAGE else language
        try:
            await app.bot.set_my_commands(menu, language_code=code)
        except TelegramError as exc:
            log.warning("command menu (%s) not registered: %s", language, exc)


class BotApiError(Exception):
    """The Bot API refused the token or did not answer; the message never has the token."""


async def bot_name(config: Config, token: str) -> str:
    """The bot's username as the Bot API reports it (getMe): proof that the token works."""
    try:
        async with Bot(token, base_url=config.api_base_url) as bot:
            return bot.username
    except Exception as exc:  # whatever it is, it is said without the token
        raise _api_error(exc, config, token) from None


async def registered_webhook(config: Config, token: str) -> tuple[str, str | None]:
    """The webhook URL Telegram holds for this bot ("" for none) and its last delivery error."""
    try:
        async with Bot(token, base_url=config.api_base_url) as bot:
            info = await bot.get_webhook_info()
    except Exception as exc:  # whatever it is, it is said without the token
        raise _api_error(exc, config, token) from None
    return info.url, info.last_error_message


def _api_error(exc: Exception, config: Config, token: str) -> BotApiError:
    """What went wrong, in words that never repeat the token (python-telegram-bot's
    InvalidToken, for a 401 or a 404, quotes it whole)."""
    if isinstance(exc, InvalidToken):
        return BotApiError(
            f"the Bot API at {config.api_base_url} refused the token (401), or that address "
            "is not a Bot API (404)"
        )
    return BotApiError(redacted(f"{type(exc).__name__}: {exc}", token))


def redacted(text: str, token: str) -> str:
    """`text` without the token or its secret half."""
    for secret in (token, token.partition(":")[2]):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class StartFailed(Exception):
    """The Bot API refused the token or did not answer at start; the message never has the token."""


def run(config: Config, token: str, store: Store) -> None:
    """Run the bot and the service until SIGINT or SIGTERM.

    Start-up tries the Bot API `BOOTSTRAP_RETRIES` more times with python-telegram-bot's backoff
    (about 5 s in all), then stops with one line: a process supervisor's restart policy waits
    better than a silent retry loop, whose attempts python-telegram-bot logs only at DEBUG.
    A refused token stops at once, without repeating the token as InvalidToken's message does.
    """
    try:
        _run(config, token, store)
    except InvalidToken:
        raise StartFailed(
            f"the Bot API at {config.api_base_url} refused TELEGRAM_BOT_TOKEN; "
            "copy it again from @BotFather (https://t.me/BotFather)"
        ) from None
    except TelegramError as exc:
        detail = redacted(str(exc), token)
        raise StartFailed(
            f"could not start with the Bot API at {config.api_base_url} "
            f"after {BOOTSTRAP_RETRIES} retries: {detail}"
        ) from None


def _run(config: Config, token: str, store: Store) -> None:

    async def notify_admins(key: str, values: dict[str, object]) -> None:
        """Admin notices are outbox rows: paced, retried and classified like alerts."""
        notice = text(DEFAULT_LANGUAGE, key, **values)
        await store.run(store.queue_notice, sorted(config.admins), notice, datetime.now(UTC))

    service = Service(config, store, notify_admins)
    app = build_application(config, token, store, service)
    if not config.webhook_url:
        app.run_polling(
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=False,
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
        return
    log.info(
        "webhook: listening on %s:%d for %s",
        config.listen_address,
        config.webhook_port,
        config.webhook_url,
    )
    app.run_webhook(
        listen=config.listen_address,
        port=config.webhook_port,
        url_path=urlsplit(config.webhook_url).path.lstrip("/"),
        webhook_url=config.webhook_url,
        secret_token=webhook_secret(token),
        allowed_updates=Update.ALL_TYPES,
        drop_pending_updates=False,
        bootstrap_retries=BOOTSTRAP_RETRIES,
    )


def webhook_secret(token: str) -> str:
    """The secret Telegram sends with every webhook update (64 hex digits, within its 1–256)."""
    return hashlib.sha256(f"pantau-webhook:{token}".encode()).hexdigest()
