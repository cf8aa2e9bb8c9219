"""Every text the bot sends, in Indonesian (the default) and English.

Rules:
- One catalogue per language with the same keys; a test fails when a key is missing in one.
- Texts are Telegram HTML; `text()` escapes every value it fills in, so a user's or a feed's
  string can never break the markup.
- The language is the chat's; a chat with no choice follows its user's Telegram language:
  English when it starts with "en", Indonesian otherwise.
"""

from __future__ import annotations

import html

DEFAULT_LANGUAGE = "id"

ID: dict[str, str] = {
    "start": (
        "👋 Halo! Saya <b>Pantau</b>, bot pemantau berita.\n"
        "Saya membaca sumber berita Indonesia terus-menerus dan mengirim peringatan begitu "
        "ada berita baru yang cocok dengan kata kunci Anda.\n\n"
        "Coba: <code>/watch Korea Utara</code>\n"
        "Semua perintah: /help"
    ),
    "help": (
        "<b>Perintah Pantau</b>\n"
        "/watch &lt;kata kunci&gt; — pantau berita yang menyebut kata kunci itu\n"
        "/unwatch &lt;nomor atau teks&gt; — hapus pantauan\n"
        "/list — pantauan di obrolan ini\n"
        "/help — pesan ini\n\n"
        "Kata kunci dicocokkan sebagai kata utuh, tanpa membedakan huruf besar: "
        "<code>Korea Utara</code> cocok dengan “Presiden Korea Utara Kim Jong Un”, "
        "tidak dengan “Korea Selatan”."
    ),
    "watch_usage": "Tulis kata kuncinya setelah perintah, misalnya: <code>/watch Korea Utara</code>",
    "watch_too_long": (
        "Kata kunci terlalu panjang ({length} karakter, maks. {limit}). "
        "Contoh: <code>/watch Korea Utara</code>"
    ),
    "watch_no_words": (
        "“{query}” tidak berisi kata yang bisa dicocokkan. Contoh: <code>/watch Korea Utara</code>"
    ),
    "watch_added": "✅ Dipantau <b>#{id}</b>: {query}\nBerita baru yang menyebutnya akan saya kirim ke sini.",
    "watch_exists": "Sudah dipantau <b>#{id}</b>: {query}",
    "unwatch_usage": (
        "Tulis nomor atau teks pantauan, misalnya: <code>/unwatch 1</code>. Nomornya ada di /list"
    ),
    "unwatch_done": "🗑 Pantauan <b>#{id}</b> dihapus: {query}",
    "unwatch_missing": "Tidak ada pantauan “{target}” di obrolan ini. Lihat daftarnya dengan /list",
    "list_empty": "Belum ada pantauan di obrolan ini. Mulai dengan <code>/watch Korea Utara</code>",
    "list_header": "<b>Pantauan di obrolan ini</b> ({count}):",
    "list_item": "#{id} · {query}",
    "list_footer": "Hapus dengan <code>/unwatch nomor</code>",
    "unknown_command": "Perintah {command} tidak dikenal. Ketik /help untuk daftar perintah.",
    "cmd_start": "Mulai dan cara pakai",
    "cmd_help": "Daftar perintah",
    "cmd_watch": "Pantau kata kunci",
    "cmd_unwatch": "Hapus pantauan",
    "cmd_list": "Lihat pantauan",
}

EN: dict[str, str] = {
    "start": (
        "👋 Hi! I am <b>Pantau</b>, a news monitoring bot.\n"
        "I read Indonesian news sources around the clock and alert you as soon as a new "
        "article matches your keywords.\n\n"
        "Try: <code>/watch Korea Utara</code>\n"
        "All commands: /help"
    ),
    "help": (
        "<b>Pantau commands</b>\n"
        "/watch &lt;keywords&gt; — watch for news that mentions them\n"
        "/unwatch &lt;number or text&gt; — remove a watch\n"
        "/list — the watches of this chat\n"
        "/help — this message\n\n"
        "Keywords match as whole words, ignoring case: "
        "<code>Korea Utara</code> matches “Presiden Korea Utara Kim Jong Un”, "
        "not “Korea Selatan”."
    ),
    "watch_usage": "Put the keywords after the command, for example: <code>/watch Korea Utara</code>",
    "watch_too_long": (
        "The keywords are too long ({length} characters, at most {limit}). "
        "Example: <code>/watch Korea Utara</code>"
    ),
    "watch_no_words": "“{query}” has no word to match. Example: <code>/watch Korea Utara</code>",
    "watch_added": "✅ Watching <b>#{id}</b>: {query}\nI will send new articles that mention it here.",
    "watch_exists": "Already watching <b>#{id}</b>: {query}",
    "unwatch_usage": (
        "Give the number or the text of a watch, for example: <code>/unwatch 1</code>. "
        "The numbers are in /list"
    ),
    "unwatch_done": "🗑 Removed watch <b>#{id}</b>: {query}",
    "unwatch_missing": "This chat has no watch “{target}”. See the list with /list",
    "list_empty": "This chat watches nothing yet. Start with <code>/watch Korea Utara</code>",
    "list_header": "<b>Watches in this chat</b> ({count}):",
    "list_item": "#{id} · {query}",
    "list_footer": "Remove one with <code>/unwatch number</code>",
    "unknown_command": "Unknown command {command}. Type /help for the list of commands.",
    "cmd_start": "Start and how to use",
    "cmd_help": "List of commands",
    "cmd_watch": "Watch keywords",
    "cmd_unwatch": "Remove a watch",
    "cmd_list": "Show watches",
}

CATALOGUES: dict[str, dict[str, str]] = {"id": ID, "en": EN}


def language_of(telegram_language: str | None) -> str:
    """The bot's language for a Telegram `language_code`."""
    return "en" if (telegram_language or "").lower().startswith("en") else DEFAULT_LANGUAGE


def text(language: str, key: str, **values: object) -> str:
    """The text for `key` in `language`, with every value HTML-escaped."""
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
    return catalogue[key].format(**escaped)
