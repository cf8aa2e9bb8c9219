"""A fake Telegram Bot API server: a real HTTP server on 127.0.0.1 that python-telegram-bot talks to.

It behaves like Telegram where Pantau can go wrong:
- requests are `POST /bot<TOKEN>/<method>` with form, JSON or empty bodies; a wrong token is 401,
  a path that is not the Bot API's (a mistyped base URL) 404;
- `sendMessage` with `parse_mode=HTML` is parsed the way Telegram does: only Telegram's tags,
  properly nested, and no bare `<` or `&`; otherwise 400 "can't parse entities";
- text over 4096 characters (UTF-16 units, after entity parsing) is 400 "message is too long";
  more than 100 inline buttons is 400 "reply markup is too long";
- where a message can no longer go, it answers as Telegram does: a blocked chat 403; a deleted
  chat (`deleted_chats`) 400 "chat not found"; a group upgraded to a supergroup (`migrated`)
  400 with `migrate_to_chat_id`, every time; a forum topic that is not open (`topics`) 400
  "message thread not found"; a channel where the bot may not post (`channels`, False) 400
  "need administrator rights in the channel chat"; text containing a `refused` marker 400
  with its description;
- `getChatMember` knows each chat's admins (`chat_admins`, channels by id or @name too) and,
  where `chat_members` lists them, who is not in the chat at all ("left");
- `enforce_limits` answers 429 with `retry_after` beyond Telegram's
  limits (30 messages a second overall, 1 a second per private chat, 20 a minute per group)
  and counts them in `too_many`; `fail_next` injects any error for the next call of a method,
  `drop_next` closes the connection without an answer;
- `getUpdates` long-polls, and drops updates below `offset` as confirmed;
- `sendPhoto` and `sendDocument` take multipart uploads as Telegram does: the caption is
  parsed like a message's HTML and may have at most 1024 characters, a photo must be an image
  (PNG or JPEG) of at most 10 MB, a document at most 50 MB; what arrived is kept in `uploads`
  (and the message, its caption as text, in `sent`).
Tests inject user messages with `send_command` and await what the bot sent with `wait_for`.
"""

from __future__ import annotations

import io
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Pantau", "username": "pantau_test_bot"}
ALLOWED_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
_MARKUP = re.compile(
    r"<(/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
    r"|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);"
    r"|[<&]"
)
_ATTRIBUTE = re.compile(r"([\w-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityError(ValueError):
    """The HTML would make Telegram answer "can't parse entities"."""


def parse_telegram_html(markup: str) -> str:
    """The plain text Telegram would show for this HTML, or EntityError as Telegram would refuse it."""
    text: list[str] = []
    stack: list[str] = []
    position = 0
    for found in _MARKUP.finditer(markup):
        text.append(markup[position : found.start()])
        position = found.end()
        closing, tag, attributes, entity = (
            found.group(1),
            found.group(2),
            found.group(3),
            found.group(4),
        )
        if tag is not None:
            tag = tag.lower()
            if tag not in ALLOWED_TAGS:
                raise EntityError(f'Unsupported start tag "{tag}" at byte offset {found.start()}')
            if closing:
                if not stack or stack[-1] != tag:
                    raise EntityError(f"Unexpected end tag at byte offset {found.start()}")
                stack.pop()
            else:
                names = {m.group(1).lower() for m in _ATTRIBUTE.finditer(attributes or "")}
                if names - ALLOWED_TAGS[tag]:
                    raise EntityError(f'Unsupported attribute in tag "{tag}"')
                stack.append(tag)
        elif entity is not None:
            if entity.startswith("#x"):
                text.append(chr(int(entity[2:], 16)))
            elif entity.startswith("#"):
                text.append(chr(int(entity[1:])))
            else:
                text.append(_ENTITIES[entity])
        else:
            raise EntityError(
                f'Unsupported start tag "" at byte offset {found.start()}'
                if found.group(0) == "<"
                else f"Unclosed entity at byte offset {found.start()}"
            )
    text.append(markup[position:])
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Sent:
    """A message the bot sent, as Telegram stored it."""

    chat_id: int
    text: str
    html: str
    message_id: int
    params: dict[str, Any]


@dataclass
class Upload:
    """A photo or document the bot uploaded, as Telegram received it."""

    chat_id: int
    method: str
    filename: str
    data: bytes
    caption: str
    message_id: int
    params: dict[str, Any]


@dataclass
class _Failure:
    status: int
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (python-telegram-bot stopping mid long-poll) is not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeTelegram:
    """The server and its state; every access to the state holds `self._cond`."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self.sent: list[Sent] = []
        self.uploads: list[Upload] = []
        self.calls: list[str] = []
        self.arrived: list[str] = []  # every request's method as it arrives, before any delay
        self.rejected: list[tuple[str, str]] = []
        self.answers: list[str] = []
        self.chat_admins: dict[int, set[int]] = {}
        self.chat_members: dict[int, set[int]] = {}
        self.channels: dict[str, tuple[int, bool]] = {}
        self._drops: set[str] = set()
        self._hangs: set[str] = set()
        self._delays: dict[str, float] = {}
        self._released = threading.Event()
        self.webhook: dict[str, Any] = {}
        self.webhook_error = ""
        self.edits: list[Sent] = []
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.blocked: set[int] = set()
        self.deleted_chats: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.topics: dict[int, set[int]] = {}
        self.refused: dict[str, str] = {}
        self.enforce_limits = False
        self._send_times: dict[int, list[float]] = {}
        self._all_sends: list[float] = []
        self.too_many = 0
        self._failures: dict[str, list[_Failure]] = {}
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def start(self) -> FakeTelegram:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        with self._cond:
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()

    # what a test does

    def send_command(self, chat_id: int, text: str, **message: Any) -> None:
        """Queue a user's message, as if typed in the chat (options as for `message_update`)."""
        update = self.message_update(chat_id, text, **message)
        with self._cond:
            self._updates.append(update)
            self._cond.notify_all()

    def message_update(
        self,
        chat_id: int,
        text: str,
        *,
        language_code: str = "id",
        chat_type: str = "private",
        user_id: int | None = None,
        topic: int | None = None,
        edited: bool = False,
    ) -> dict[str, Any]:
        """The Update Telegram makes of a user's message (or of its edit), with the next id."""
        command = text.split()[0] if text.startswith("/") else ""
        message = {
            "message_id": 10_000 + self._next_update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Analis", "title": "Grup"},
            "from": {
                "id": user_id or chat_id,
                "is_bot": False,
                "first_name": "Analis",
                "language_code": language_code,
            },
            "text": text,
        }
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if topic is not None:
            message["chat"]["is_forum"] = True
            message.update(message_thread_id=topic, is_topic_message=True)
        if edited:
            message["edit_date"] = message["date"]
        with self._cond:
            kind = "edited_message" if edited else "message"
            update = {"update_id": self._next_update_id, kind: message}
            self._next_update_id += 1
        return update

    def send_callback(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> None:
        """Queue a tap on an inline button of message `message_id` in that chat."""
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "title": "Grup"},
        }
        query = {
            "id": f"cb{self._next_update_id}",
            "from": {
                "id": user_id or chat_id,
                "is_bot": False,
                "first_name": "Analis",
                "language_code": "id",
            },
            "chat_instance": str(chat_id),
            "message": message,
            "data": data,
        }
        with self._cond:
            self._updates.append({"update_id": self._next_update_id, "callback_query": query})
            self._next_update_id += 1
            self._cond.notify_all()

    def bot_removed(self, chat_id: int) -> None:
        """Queue the update Telegram sends when the bot is removed from a group."""
        bot_user = {**BOT_USER}
        update = {
            "chat": {"id": chat_id, "type": "group", "title": "Grup"},
            "from": {"id": 1, "is_bot": False, "first_name": "Admin"},
            "date": int(time.time()),
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": "left", "user": bot_user},
        }
        with self._cond:
            self._updates.append({"update_id": self._next_update_id, "my_chat_member": update})
            self._next_update_id += 1
            self._cond.notify_all()

    def group_migrated(self, old: int, new: int) -> None:
        """A group becomes a supergroup: the two service messages Telegram sends, and from now
        on every message to the old id is refused with `migrate_to_chat_id`."""
        with self._cond:
            self.migrated[old] = new
            for chat_id, chat_type, field_name, other in (
                (old, "group", "migrate_to_chat_id", new),
                (new, "supergroup", "migrate_from_chat_id", old),
            ):
                message = {
                    "message_id": 10_000 + self._next_update_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": chat_type, "title": "Grup"},
                    "from": {"id": 1, "is_bot": False, "first_name": "Admin"},
                    field_name: other,
                }
                self._updates.append({"update_id": self._next_update_id, "message": message})
                self._next_update_id += 1
            self._cond.notify_all()

    def drop_next(self, method: str) -> None:
        """Make the next call of `method` end with the connection closed and no answer."""
        with self._cond:
            self._drops.add(method)

    def hang_next(self, method: str) -> None:
        """Make the next call of `method` hang until the fake stops, then close unanswered."""
        with self._cond:
            self._hangs.add(method)

    def slow(self, method: str, seconds: float) -> None:
        """Make every call of `method` take this long before Telegram acts on it."""
        with self._cond:
            self._delays[method] = seconds

    def fail_next(self, method: str, status: int, description: str, **parameters: Any) -> None:
        """Make the next call of `method` fail the way Telegram would."""
        with self._cond:
            self._failures.setdefault(method, []).append(_Failure(status, description, parameters))

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Wait until predicate() (called under the lock) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout}s; sent so far: {self.sent}")
                self._cond.wait(remaining)

    def messages_to(self, chat_id: int) -> list[Sent]:
        with self._cond:
            return [m for m in self.sent if m.chat_id == chat_id]

    # the server side

    def _handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = f"/bot{self.token}/"
        if not path.startswith("/bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if not path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = path[len(prefix) :]
        with self._cond:
            self.calls.append(method)
            self._cond.notify_all()
            failures = self._failures.get(method)
            if failures:
                failure = failures.pop(0)
                return failure.status, _error(
                    failure.status, failure.description, failure.parameters
                )
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        if method == "sendMessage":
            return self._send_message(params)
        if method in ("sendPhoto", "sendDocument"):
            return self._send_media(method, params)
        if method == "getChat":
            with self._cond:
                found = self.channels.get(str(params["chat_id"]))
            if found is None:
                return 400, _error(400, "Bad Request: chat not found")
            return 200, {
                "ok": True,
                "result": {
                    "id": found[0],
                    "type": "channel",
                    "title": "Kanal",
                    "accent_color_id": 0,
                    "max_reaction_count": 11,
                },
            }
        if method == "getChatMember":
            return self._chat_member(params)
        if method == "editMessageText":
            return self._edit_message(params)
        if method == "answerCallbackQuery":
            with self._cond:
                self.answers.append(str(params.get("text", "")))
                self._cond.notify_all()
            return 200, {"ok": True, "result": True}
        if method == "getWebhookInfo":
            with self._cond:
                info = {"url": self.webhook.get("url", ""), "has_custom_certificate": False}
                if self.webhook_error:
                    info.update(
                        last_error_date=int(time.time()), last_error_message=self.webhook_error
                    )
            return 200, {"ok": True, "result": {**info, "pending_update_count": 0}}
        if method == "setWebhook":
            with self._cond:
                self.webhook = dict(params)
                self._cond.notify_all()
            return 200, {"ok": True, "result": True}
        simple = {
            "getMe": BOT_USER,
            "deleteWebhook": True,
            "close": True,
        }
        if method in simple:
            return 200, {"ok": True, "result": simple[method]}
        if method == "setMyCommands":
            with self._cond:
                self.commands[params.get("language_code", "")] = params["commands"]
                self._cond.notify_all()
            return 200, {"ok": True, "result": True}
        if method == "getMyCommands":
            with self._cond:
                return 200, {
                    "ok": True,
                    "result": self.commands.get(params.get("language_code", ""), []),
                }
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _chat_member(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A member's status: the bot is an admin allowed to post where `channels` says so;
        a user is the creator where `chat_admins` names them, otherwise a member."""
        with self._cond:
            chat = str(params["chat_id"])
            if chat.startswith("@"):
                if chat not in self.channels:
                    return 400, _error(400, "Bad Request: chat not found")
                chat_id = self.channels[chat][0]
            else:
                chat_id = int(chat)
            user_id = int(params["user_id"])
            can_post = any(cid == chat_id and ok for cid, ok in self.channels.values())
            admin = user_id in self.chat_admins.get(chat_id, set())
            outside = chat_id in self.chat_members and user_id not in self.chat_members[chat_id]
        if user_id == BOT_USER["id"]:
            if not can_post:
                return 200, {"ok": True, "result": {"status": "member", "user": BOT_USER}}
            rights = dict.fromkeys(
                "can_be_edited is_anonymous can_manage_chat can_delete_messages "
                "can_manage_video_chats can_restrict_members can_promote_members "
                "can_change_info can_invite_users can_post_stories can_edit_stories "
                "can_delete_stories".split(),
                False,
            )
            member = {
                "status": "administrator",
                "user": BOT_USER,
                **rights,
                "can_post_messages": True,
            }
            return 200, {"ok": True, "result": member}
        user = {"id": user_id, "is_bot": False, "first_name": "Anggota"}
        status = "creator" if admin else "left" if outside else "member"
        member: dict[str, Any] = {"status": status, "user": user}
        if admin:
            member["is_anonymous"] = False
        return 200, {"ok": True, "result": member}

    def _undeliverable(self, chat_id: int, params: dict[str, Any]) -> _Failure | None:
        """Why Telegram would refuse any message to this chat (or topic) now, if it would."""
        thread = params.get("message_thread_id")
        if chat_id in self.blocked:
            return _Failure(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.deleted_chats:
            return _Failure(400, "Bad Request: chat not found")
        if chat_id in self.migrated:
            return _Failure(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if any(cid == chat_id and not ok for cid, ok in self.channels.values()):
            return _Failure(400, "Bad Request: need administrator rights in the channel chat")
        if (
            thread is not None
            and chat_id in self.topics
            and int(thread) not in self.topics[chat_id]
        ):
            return _Failure(400, "Bad Request: message thread not found")
        return None

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        timeout = float(params.get("timeout", 0))
        limit = int(params.get("limit", 100))
        deadline = time.monotonic() + timeout
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._cond.wait(deadline - time.monotonic())
            return self._updates[:limit]

    def _send_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = int(params["chat_id"])
        markup = str(params.get("text", ""))
        with self._cond:
            refusal = self._undeliverable(chat_id, params)
            refused = [why for marker, why in self.refused.items() if marker in markup]
        if refusal is not None:
            return refusal.status, _error(refusal.status, refusal.description, refusal.parameters)
        if refused:
            return self._reject(markup, refused[0])
        try:
            text = parse_telegram_html(markup) if params.get("parse_mode") == "HTML" else markup
        except EntityError as exc:
            return self._reject(markup, f"Bad Request: can't parse entities: {exc}")
        if not text.strip():
            return self._reject(markup, "Bad Request: message text is empty")
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        if sum(len(row) for row in keyboard) > 100:
            return self._reject(markup, "Bad Request: reply markup is too long")
        for row in keyboard:
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    return self._reject(markup, "Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text") or not (
                    button.get("url", "https://").startswith(("http://", "https://"))
                ):
                    return self._reject(markup, "Bad Request: BUTTON_URL_INVALID")
        if utf16_length(text) > 4096:
            return self._reject(markup, "Bad Request: message is too long")
        with self._cond:
            admitted = self._admit(chat_id)
            if isinstance(admitted, tuple):
                return admitted
            message_id = admitted
            self.sent.append(Sent(chat_id, text, markup, message_id, params))
            self._cond.notify_all()
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": text,
        }
        return 200, {"ok": True, "result": message}

    def _send_media(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """sendPhoto / sendDocument: the file from the multipart upload, the caption checked
        like a message's text (HTML, at most 1024 characters)."""
        chat_id = int(params["chat_id"])
        field_name = "photo" if method == "sendPhoto" else "document"
        upload = params.get(field_name)
        markup = str(params.get("caption", ""))
        with self._cond:
            refusal = self._undeliverable(chat_id, params)
        if refusal is not None:
            return refusal.status, _error(refusal.status, refusal.description, refusal.parameters)
        if not isinstance(upload, tuple):
            return self._reject(markup, f"Bad Request: there is no {field_name} in the request")
        filename, data = upload
        try:
            caption = parse_telegram_html(markup) if params.get("parse_mode") == "HTML" else markup
        except EntityError as exc:
            return self._reject(markup, f"Bad Request: can't parse entities: {exc}")
        if utf16_length(caption) > 1024:
            return self._reject(markup, "Bad Request: message caption is too long")
        if field_name == "photo" and (
            len(data) > 10_000_000 or not data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8"))
        ):
            return self._reject(markup, "Bad Request: IMAGE_PROCESS_FAILED")
        if not data or len(data) > 50_000_000:
            return self._reject(markup, "Bad Request: file must be non-empty")
        with self._cond:
            admitted = self._admit(chat_id)
            if isinstance(admitted, tuple):
                return admitted
            message_id = admitted
            shown = {key: value for key, value in params.items() if key != field_name}
            self.sent.append(
                Sent(chat_id, caption, markup, message_id, {**shown, field_name: filename})
            )
            self.uploads.append(Upload(chat_id, method, filename, data, caption, message_id, shown))
            self._cond.notify_all()
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "caption": caption,
        }
        if field_name == "photo":
            message["photo"] = [
                {
                    "file_id": f"p{message_id}",
                    "file_unique_id": f"u{message_id}",
                    "width": 1200,
                    "height": 750,
                }
            ]
        else:
            message["document"] = {
                "file_id": f"d{message_id}",
                "file_unique_id": f"u{message_id}",
                "file_name": filename,
            }
        return 200, {"ok": True, "result": message}

    def _admit(self, chat_id: int) -> int | tuple[int, dict[str, Any]]:
        """Under the lock: a 429 if the chat is over Telegram's limits (when enforced), else the
        send is counted and its message id returned."""
        if self.enforce_limits and (wait := self._flood_wait(chat_id)):
            self.too_many += 1
            return 429, _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        self._record_send(chat_id)
        self._next_message_id += 1
        return self._next_message_id - 1

    def _flood_wait(self, chat_id: int) -> int:
        """Seconds Telegram would ask to wait: 30 msg/s overall, 1/s per private chat, 20/min per group."""
        now = time.monotonic()
        times = self._send_times.get(chat_id, [])
        if chat_id > 0 and times and now - times[-1] < 0.99:
            return 1
        if chat_id < 0 and len([t for t in times if now - t < 60]) >= 20:
            return 3
        if len([t for t in self._all_sends[-30:] if now - t < 1.0]) >= 30:
            return 1
        return 0

    def _record_send(self, chat_id: int) -> None:
        now = time.monotonic()
        self._send_times.setdefault(chat_id, []).append(now)
        self._all_sends.append(now)

    def _edit_message(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Replace a sent message's text, with the same checks as sendMessage."""
        markup = str(params.get("text", ""))
        try:
            text = parse_telegram_html(markup) if params.get("parse_mode") == "HTML" else markup
        except EntityError as exc:
            return self._reject(markup, f"Bad Request: can't parse entities: {exc}")
        if utf16_length(text) > 4096:
            return self._reject(markup, "Bad Request: message is too long")
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        with self._cond:
            for number, sent in enumerate(self.sent):
                if sent.chat_id == chat_id and sent.message_id == message_id:
                    if sent.html == markup:
                        return 400, _error(400, "Bad Request: message is not modified")
                    self.sent[number] = Sent(
                        chat_id, text, markup, message_id, {**sent.params, **params}
                    )
                    self.edits.append(self.sent[number])
                    self._cond.notify_all()
                    message = {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "text": text,
                    }
                    return 200, {"ok": True, "result": message}
        return 400, _error(400, "Bad Request: message to edit not found")

    def _reject(self, markup: str, description: str) -> tuple[int, dict[str, Any]]:
        with self._cond:
            self.rejected.append((markup, description))
            self._cond.notify_all()
        return 400, _error(400, description)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                method = self.path.rsplit("/", 1)[-1]
                with fake._cond:
                    fake.arrived.append(method)
                    fake._cond.notify_all()
                    dropped = method in fake._drops
                    fake._drops.discard(method)
                    hung = method in fake._hangs
                    fake._hangs.discard(method)
                    delay = fake._delays.get(method, 0.0)
                if hung:
                    with fake._cond:
                        fake.calls.append(method)
                        fake._cond.notify_all()
                    fake._released.wait(60)
                time.sleep(delay)
                if dropped or hung:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.wfile = io.BytesIO()  # nothing left to flush on the closed socket
                    return
                status, payload = fake._handle(
                    self.path, _params(self.headers.get("Content-Type", ""), body)
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return json.loads(body)
    if content_type.startswith("multipart/form-data"):
        return _multipart(content_type, body)
    params: dict[str, Any] = dict(parse_qsl(body.decode(), keep_blank_values=True))
    for key, value in params.items():
        if value[:1] in "{[":
            params[key] = json.loads(value)
    return params


def _error(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return payload


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """A multipart/form-data body: fields as strings (JSON ones decoded), files as
    (file name, bytes)."""
    message = BytesParser(policy=email_policy).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[str(name)] = (filename, payload)
            continue
        value = payload.decode()
        params[str(name)] = json.loads(value) if value[:1] in "{[" else value
    return params
