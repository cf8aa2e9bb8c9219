"""The permission gate, walked row by row: every command and every button kind of the tables the
bot registers from, tried by a group's admin, a member, a stranger and the bot's admin, and in
private chats by their owner, a stranger and the bot's admin, through `pantau run` and the
fake Bot API. Each is either refused in one line, or reaches its handler.

The rule each row is held to does not come from the code's tables: a command's is the "Who"
column of the README's Commands table (bot admins' commands are the table under "Bot admins
only"), a button kind's is written out here; the code's tables must say the same."""

from __future__ import annotations

import itertools
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.insights.reports import Reports
from bot.insights.trends import Trends
from bot.lexicon import Lexicons
from bot.match import ContextRules
from bot.store import Store
from bot.telegram.admin import AdminCommands
from bot.telegram.handlers import Handlers
from bot.telegram.insights import InsightCommands
from bot.telegram.permissions import Who
from bot.texts import ID
from tests.conftest import ADMIN, ROOT, TOKEN, bot_env, start_bot, write_config
from tests.fake_telegram import FakeTelegram

CHANNEL, CHANNEL_ID = "@kanal_uji", -100777
REFUSALS = {
    "admin_only": ID["admin_only"],
    "group_admins_only": ID["group_admins_only"],
    "not_permitted": ID["not_permitted"],
    "channel_admins_only": ID["channel_admins_only"].format(name=CHANNEL),
}
SAMPLE = {
    "watch": "/watch Rusia",
    "unwatch": "/unwatch 999999",
    "search": "/search Rusia",
    "previews": "/previews on",
    "timezone": "/timezone WITA",
    "language": "/language id",
    "channel": f"/channel {CHANNEL}",
    "digest": "/digest off",
    "quiet": "/quiet off",
    "allow": "/allow 5",
    "interval": "/interval 999999 5m",
    "removesource": "/removesource 999999",
    "pausesource": "/pausesource 999999",
    "resumesource": "/resumesource 999999",
}
TAPS = {
    "list": "list:1",
    "set": "set:previews",
    "resume": "resume:drop",
    "flow": "flow:cancel",
}


# Who may tap each kind of button, as the README's Commands section says in words.
BUTTON_RULES = {
    "mute": Who.CHAT_ADMINS,
    "unmute": Who.CHAT_ADMINS,
    "del": Who.CHAT_ADMINS,
    "undo": Who.CHAT_ADMINS,
    "prev": Who.ANYONE,
    "list": Who.ANYONE,
    "set": Who.CHAT_ADMINS,
    "resume": Who.CHAT_ADMINS,
    "flow": Who.CHAT_ADMINS,
    "nr": Who.ANYONE,
    "nrd": Who.ANYONE,
    "fix": Who.CHAT_ADMINS,
    "revert": Who.CHAT_ADMINS,
}
README_WHO = {
    "anyone": Who.ANYONE,
    "chat admins": Who.CHAT_ADMINS,
    "chat and channel admins": Who.CHANNEL_ADMINS,
}


def _readme_rules():
    """Each command of the README's Commands section and who it says may use it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("\n## Commands\n")[2].partition("\n### ")[0]
    everyone, _, bot_admins = section.partition("Bot admins only")
    rules = {}
    for part, has_who in ((everyone, True), (bot_admins, False)):
        for line in part.splitlines():
            if not line.startswith("| `"):
                continue
            cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip("|"))]
            who = README_WHO[cells[1].partition(" (")[0]] if has_who else Who.BOT_ADMINS
            for name in re.findall(r"`/(\w+)", cells[0]):
                assert rules.setdefault(name, who) is who, f"/{name}: two rules in the README"
    return rules


def _tables():
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "table.db")
        lexicons = Lexicons(store, [], ContextRules())
        handlers = Handlers(store, lexicons, 20)
        admin = AdminCommands(store, None, 60, ZoneInfo("Asia/Jakarta"), lambda: 0, lexicons)
        trends = Trends(store, ZoneInfo("Asia/Jakarta"))
        insights = InsightCommands(
            store, trends, Reports(store, trends), handlers.replies, lexicons
        )
        every = (*handlers.commands(), *insights.commands(), *admin.commands())
        commands = [(c.name, c.who) for c in every]
        trends.close()
        buttons = [(b.kind, b.who) for b in handlers.buttons()]
        store.close()
    return commands, buttons


CODE_COMMANDS, CODE_BUTTONS = _tables()
COMMANDS = sorted(_readme_rules().items())
BUTTONS = sorted(BUTTON_RULES.items())
GROUP_ACTORS = ("admin", "member", "stranger", "bot admin")
PRIVATE_ACTORS = ("owner", "stranger", "bot admin")
_ids = itertools.count(1)


def test_the_code_gives_every_command_the_rule_the_readme_states():
    assert dict(CODE_COMMANDS) == dict(COMMANDS)
    assert len(dict(CODE_COMMANDS)) == len(CODE_COMMANDS), "a command is in the tables twice"


def test_the_code_gives_every_button_kind_the_rule_written_here():
    assert dict(CODE_BUTTONS) == BUTTON_RULES
    assert len(dict(CODE_BUTTONS)) == len(CODE_BUTTONS), "a button kind is in the table twice"


def permitted(who, actor, place):
    """What `who` means for an actor in a place: the expectation every row is held to."""
    if who is Who.ANYONE:
        return None
    if who is Who.BOT_ADMINS:
        return None if actor == "bot admin" else "admin_only"
    if place == "group":
        return None if actor == "admin" else "group_admins_only"
    if actor == "stranger":
        return "not_permitted"
    if who is Who.CHANNEL_ADMINS and actor != "owner":
        return "channel_admins_only"
    return None


@pytest.fixture(scope="module")
def telegram(tmp_path_factory):
    fake = FakeTelegram(TOKEN).start()
    fake.channels[CHANNEL] = (CHANNEL_ID, True)
    folder = tmp_path_factory.mktemp("gate")
    bot = start_bot(bot_env(folder, fake, write_config(folder, [])), folder / "bot.log")
    fake.wait_for(lambda: "getUpdates" in fake.calls)
    yield fake
    assert bot.stop() == 0
    assert fake.rejected == [], "a reply Telegram would have refused"
    fake.stop()


class Scene:
    """Fresh ids for one row: a group with its admin and member, a stranger, private chats."""

    def __init__(self, telegram, place, actor):
        number = next(_ids)
        self.telegram, self.place = telegram, place
        self.group = -4_000_000 - number
        admin, member, stranger = (1_000_000 + number * 10 + n for n in range(3))
        telegram.chat_admins[self.group] = {admin}
        telegram.chat_members[self.group] = {admin, member, ADMIN}
        telegram.chat_admins.setdefault(CHANNEL_ID, set()).add(admin)
        users = {"admin": admin, "member": member, "stranger": stranger, "bot admin": ADMIN}
        if place == "group":
            self.chat, self.user, self.owner = self.group, users[actor], admin
        else:
            users["owner"] = admin
            self.owner = ADMIN if actor == "bot admin" else admin
            self.chat, self.user = self.owner, users[actor]
        self.chat_type = "group" if place == "group" else "private"

    def say(self, text, user=None):
        telegram, chat = self.telegram, self.chat
        before = len(telegram.messages_to(chat))
        telegram.send_command(chat, text, user_id=user or self.user, chat_type=self.chat_type)
        return telegram.wait_for(lambda: telegram.messages_to(chat)[before:])[0].text

    def tap(self, data):
        telegram = self.telegram
        before = len(telegram.answers)
        telegram.send_callback(self.chat, data, 1, user_id=self.user, chat_type=self.chat_type)
        telegram.wait_for(lambda: len(telegram.answers) > before)
        return telegram.answers[before]


@pytest.mark.parametrize("place", ["group", "private"])
@pytest.mark.parametrize(("command", "who"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_every_command_obeys_its_rule(telegram, command, who, place):
    actors = GROUP_ACTORS if place == "group" else PRIVATE_ACTORS
    for actor in actors:
        scene = Scene(telegram, place, actor)
        reply = scene.say(SAMPLE.get(command, f"/{command}"))
        refusal = permitted(who, actor, place)
        if refusal is None:
            assert reply not in REFUSALS.values(), (command, actor, place, reply)
        else:
            assert reply == REFUSALS[refusal], (command, actor, place, reply)


@pytest.mark.parametrize("place", ["group", "private"])
@pytest.mark.parametrize(("kind", "who"), BUTTONS, ids=[kind for kind, _ in BUTTONS])
def test_every_button_obeys_its_rule(telegram, kind, who, place):
    actors = ("admin", "member", "stranger") if place == "group" else ("owner", "stranger")
    for actor in actors:
        scene = Scene(telegram, place, actor)
        added = scene.say("/watch Rusia", user=scene.owner)
        watch_id = re.search(r"#(\d+)", added).group(1)
        answer = scene.tap(TAPS.get(kind, f"{kind}:{watch_id}"))
        refusal = permitted(who, actor, place)
        if refusal is None:
            assert answer not in REFUSALS.values(), (kind, actor, place, answer)
        else:
            assert answer == REFUSALS[refusal], (kind, actor, place, answer)


def test_forged_or_oversized_button_data_is_refused_as_stale(telegram):
    scene = Scene(telegram, "private", "owner")
    stale = ID["button_stale"]
    assert scene.tap("mute:" + "9" * 23) == stale, "a 23-digit id never reaches SQLite"
    assert scene.tap("drop:tables") == stale
    assert scene.tap("set:everything") == stale


def test_a_stranger_cannot_link_someone_elses_channel(telegram):
    scene = Scene(telegram, "private", "bot admin")
    assert scene.say(f"/channel {CHANNEL}") == REFUSALS["channel_admins_only"]
    assert "tidak ditemukan" in scene.say("/channel @tidak_ada"), "unknown is not a refusal"
    owner = Scene(telegram, "private", "owner")
    assert owner.say(f"/channel {CHANNEL}").startswith("✅")


def test_every_registered_handler_is_in_the_table(tmp_path):
    from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

    from bot.config import load_config
    from bot.service import Service
    from bot.telegram.app import build_application

    config = load_config(write_config(tmp_path, []), {"PANTAU_DB": str(tmp_path / "p.db")})
    store = Store.open(tmp_path / "p.db")

    async def notify(key, values):
        return None

    app = build_application(config, TOKEN, store, Service(config, store, notify))
    found = []
    for handler in itertools.chain.from_iterable(app.handlers.values()):
        parts = [handler]
        if isinstance(handler, ConversationHandler):
            parts = [*handler.entry_points, *handler.fallbacks]
            parts += itertools.chain.from_iterable(handler.states.values())
        found += parts
    commands = {name for h in found if isinstance(h, CommandHandler) for name in h.commands}
    assert commands == {name for name, _ in CODE_COMMANDS}
    taps = [h for h in found if isinstance(h, CallbackQueryHandler)]
    kinds = {re.match(r"\^\(\?:(\w+)", h.pattern.pattern).group(1) for h in taps if h.pattern}
    assert kinds == {kind for kind, _ in CODE_BUTTONS}
    assert [h.callback.__name__ for h in taps if h.pattern is None] == ["stale"]
    store.close()
