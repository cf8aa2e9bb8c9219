"""Every text the bot sends, in Indonesian (the default) and English.

Rules:
- One catalogue per language with the same keys; a test fails when a key is missing in one.
- Texts are Telegram HTML; `text()` escapes every value it fills in, so a user's or a feed's
  string can never break the markup.
- The language is the chat's; a chat with no choice follows its user's Telegram language:
  English when it starts with "en", Indonesian otherwise.
- The catalogue serves every stage that writes words: alerts and digests (`compose`,
  `digest`) as well as the chat commands.
- Telegram's limits count UTF-16 code units of the text after entity parsing
  (`telegram_length`): an emoji is two, a tag nothing, `&amp;` one.
"""

from __future__ import annotations

import html
import re

DEFAULT_LANGUAGE = "id"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]*>")

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
        "/watch &lt;kueri&gt; — pantau berita yang cocok\n"
        "/unwatch &lt;nomor atau teks&gt; — hapus pantauan\n"
        "/list — pantauan di obrolan ini\n"
        "/search &lt;kueri&gt; — cari berita tersimpan\n"
        "/previews on|off — pratinjau tautan di peringatan\n"
        "/timezone WIB|WITA|WIT|Asia/… — zona waktu obrolan\n"
        "/language id|en — bahasa bot\n"
        "/settings — semua pengaturan dengan tombol\n"
        "/channel @kanal | off — kirim peringatan ke kanal\n"
        "/digest off|hourly|daily [07:00] — satu per satu atau ringkasan\n"
        "/quiet 22:00-06:00 | off — jam tenang\n"
        "/pause, /resume — hentikan dan lanjutkan peringatan\n"
        "/tren &lt;nomor atau kueri&gt; [7d|30d|90d] — grafik pemberitaan; "
        "<code>/tren 1 2</code> membandingkan\n"
        "/laporan [nomor] [7d|30d] — berkas CSV berita yang cocok, dengan grafiknya\n"
        "/help — pesan ini\n\n"
        "<b>Kueri</b>\n"
        "<code>Putin Rusia</code> — keduanya disebut\n"
        '<code>"Kim Jong Un"</code> — frasa persis\n'
        "<code>Putin OR Rusia</code> (atau <code>atau</code>) — salah satunya\n"
        '<code>-"Korea Selatan"</code> — kecuali yang menyebutnya\n'
        "<code>title:Putin</code> — hanya di judul\n"
        "<code>source:detik.com</code> — hanya dari sumber itu\n"
        "<code>Kim NEAR/5 Putin</code> — paling jauh 5 kata\n"
        "<code>=Korut</code> — tanpa sinonim\n\n"
        "Kata dicocokkan utuh, tanpa membedakan huruf besar; akhiran -nya, -lah, -kah, -pun "
        "tetap cocok. Singkatan kapital sampai 3 huruf (AS, UN, MK) hanya cocok dengan kapital."
    ),
    "watch_added": "✅ Dipantau <b>#{id}</b>: {query}",
    "watch_exists": "Sudah dipantau <b>#{id}</b>: {query}",
    "watch_recent": "Sudah ada {count} berita dalam 24 jam terakhir:",
    "flow_ask": "Apa yang ingin dipantau? Ketik kata kuncinya, misalnya <code>Korea Utara</code> (/cancel untuk batal).",
    "flow_understood": "Dipahami sebagai: {query}",
    "flow_save": "✅ Simpan",
    "flow_cancel": "Batal",
    "flow_cancelled": "Dibatalkan; tidak ada yang disimpan.",
    "watch_limit": "Obrolan ini sudah memantau {limit} hal, batasnya. Hapus satu dengan /unwatch",
    "group_admins_only": "Di grup, hanya admin grup yang boleh mengubah pantauan dan pengaturannya.",
    "not_permitted": "Anda tidak boleh melakukan itu di obrolan ini.",
    "channel_admins_only": "Hanya admin kanal {name} yang boleh mengirim peringatan ke sana.",
    "cmd_search": "Cari berita tersimpan",
    "search_header": "<b>{count} berita terbaru</b> untuk {query}:",
    "search_none": "Belum ada berita tersimpan yang cocok dengan {query}.",
    "query_empty": "Tulis kuerinya setelah perintah, misalnya: <code>/watch Korea Utara</code>",
    "query_too_long": (
        "Kueri terlalu panjang ({length} karakter, maks. {limit}). "
        'Contoh: <code>/watch "Kim Jong Un" Putin</code>'
    ),
    "query_too_many_terms": (
        "Kueri berisi {count} kata kunci, maks. {limit}. "
        "Pecah menjadi beberapa pantauan, misalnya: <code>/watch Putin OR Rusia</code>"
    ),
    "query_unbalanced_quote": (
        'Ada tanda kutip yang tidak ditutup. Contoh: <code>/watch "Kim Jong Un" Putin</code>'
    ),
    "query_unbalanced_bracket": (
        "Tanda kurung {token} tidak berpasangan. Contoh: <code>/watch Kim (Putin OR Rusia)</code>"
    ),
    "query_dangling": (
        "OR, NEAR dan tanda minus perlu kata di sampingnya. "
        "Contoh: <code>/watch Putin OR Rusia</code>"
    ),
    "query_unexpected": "“{token}” tidak pada tempatnya. Contoh: <code>/watch Kim (Putin OR Rusia)</code>",
    "query_only_exclusions": (
        "Kueri perlu setidaknya satu kata yang dicari, bukan hanya pengecualian. "
        "Contoh: <code>/watch Korea -Selatan</code>"
    ),
    "query_no_words": "“{term}” tidak berisi kata yang bisa dicocokkan. Contoh: <code>/watch Korea Utara</code>",
    "query_unknown_field": (
        "Awalan “{field}:” tidak dikenal; gunakan title: atau source:. "
        "Contoh: <code>/watch title:Putin</code>"
    ),
    "query_near_terms": "NEAR menghubungkan dua kata atau frasa. Contoh: <code>/watch Kim NEAR/5 Putin</code>",
    "query_near_distance": (
        "Jarak NEAR harus 1 sampai {limit} kata. Contoh: <code>/watch Kim NEAR/5 Putin</code>"
    ),
    "sources_usage": "Daftar sumber: <code>/sources</code> (halaman berikut: <code>/sources 2</code>)",
    "addsource_usage": (
        "Tambah sumber: <code>/addsource https://www.antaranews.com/rss/terkini.xml</code> "
        'atau <code>/addsource gnews:"Korea Utara"</code>'
    ),
    "source_id_usage": "Tulis nomor sumbernya, misalnya: <code>/pausesource 3</code> (nomor ada di /sources)",
    "interval_usage": "Contoh: <code>/interval 3 5m</code>, atau <code>/interval 3 auto</code> agar menyesuaikan",
    "sources_empty": "Belum ada sumber. Tambah dengan <code>/addsource URL</code>",
    "sources_header": "<b>Sumber</b> ({count}), halaman {page}/{pages}:",
    "sources_next": "Halaman berikut: <code>/sources {next}</code>",
    "never": "belum pernah",
    "source_line": (
        "<b>#{id} {name}</b> — {state}, tiap {every}\n"
        "Terakhir berhasil: {last} · {items} berita/24 jam\n{url}"
    ),
    "source_errors": "⚠️ {count} galat beruntun: {error}",
    "state_active": "aktif",
    "state_paused": "dijeda",
    "state_failing": "bermasalah",
    "addsource_bad_url": "“{url}” bukan URL http(s). Contoh: <code>/addsource https://rss.tempo.co/nasional</code>",
    "addsource_unreachable": "Tidak bisa membuka {url}: {detail}. Tidak ada yang disimpan.",
    "addsource_no_feed": "Tidak ada feed RSS/Atom di {url}. Tidak ada yang disimpan.",
    "addsource_duplicate": "{url} sudah menjadi sumber. Lihat /sources",
    "addsource_done": "✅ Sumber <b>#{id}</b> ditambahkan: {name}\n{url}\nBerita terbaru:",
    "source_removed": "🗑 Sumber #{id} dihapus.",
    "source_missing": "Tidak ada sumber #{id}. Lihat /sources",
    "source_paused": "⏸ Sumber #{id} dijeda.",
    "source_resumed": "▶️ Sumber #{id} dilanjutkan.",
    "interval_set": "Sumber #{id} kini diambil tiap {every}.",
    "interval_auto": "Sumber #{id} kini menyesuaikan jadwal dengan seberapa sering ia terbit.",
    "source_failing": "⚠️ Sumber #{id} {name} gagal diambil sejak lama: {error}",
    "source_recovered": "✅ Sumber #{id} {name} kembali normal.",
    "admin_only": "Maaf, perintah ini hanya untuk admin Pantau.",
    "error_generic": "Maaf, ada yang salah saat memproses perintah ini. Coba lagi sebentar lagi.",
    "months": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
    "button_open": "Buka",
    "button_mute": "Berhenti pantau",
    "also_reported": "Juga diberitakan oleh",
    "more_outlets": "dan {count} lainnya",
    "widely_reported": "Ramai diberitakan",
    "digest_header": "🗞 <b>Ringkasan</b> · {count} berita",
    "digest_storm": "⚠️ Terlalu banyak peringatan dalam satu jam; sisanya dikumpulkan di sini.",
    "digest_more": "(lanjutan)",
    "too_many_commands": "Terlalu banyak perintah. Tunggu sebentar, lalu coba lagi.",
    "not_allowed": "Bot ini hanya untuk pengguna terdaftar. Minta admin menjalankan <code>/allow {id}</code>.",
    "allow_usage": "Contoh: <code>/allow 12345</code> (id pengguna Telegram)",
    "stats": (
        "<b>Statistik Pantau</b>\n"
        "Sumber: {active} aktif, {failing} bermasalah, {paused} dijeda\n"
        "Berita tersimpan hari ini: {articles}\n"
        "Peringatan terkirim hari ini: {sent} (gagal: {failed})\n"
        "Antrean: {queued} menunggu, {held} ditahan untuk ringkasan\n"
        "Halaman berita dalam antrean: {pages}\n"
        "Berjalan sejak: {started} ({uptime})\n"
        "Basis data: {size}"
    ),
    "stats_usage": "Statistik bot: <code>/stats</code>",
    "allowed": "✅ Pengguna {id} boleh memakai bot.",
    "alias_usage": (
        "Tambah sinonim: <code>/alias Korut = Korea Utara, North Korea</code>\n"
        "Hapus: <code>/alias hapus 3</code>"
    ),
    "alias_added": "✅ Sinonim <b>#{id}</b>: {names}",
    "alias_removed": "🗑 Sinonim #{id} dihapus.",
    "alias_missing": "Tidak ada sinonim #{id}. Lihat daftarnya dengan /alias",
    "alias_list_empty": "Belum ada sinonim tambahan dari admin.",
    "alias_list_header": "<b>Sinonim tambahan</b>:",
    "alias_item": "#{id} · {names}",
    "konteks_usage": (
        "Tulis: <code>/konteks bukan AS Roma</code>, <code>/konteks ejaan Cina = China</code>, "
        "<code>/konteks tokoh Prabowo Subianto</code> atau <code>/konteks hapus 3</code>"
    ),
    "konteks_help": (
        "Nama yang lebih panjang dan bukan sinonimnya: <code>/konteks bukan AS Roma</code>\n"
        "Ejaan lain satu kata (juga di dalam frasa): <code>/konteks ejaan Cina = China</code>\n"
        "Tokoh (nama pendeknya hanya untuk dia): <code>/konteks tokoh Prabowo Subianto</code>\n"
        "Hapus: <code>/konteks hapus 3</code>"
    ),
    "konteks_too_long": "Aturan terlalu panjang ({length} karakter, maks. {limit}).",
    "konteks_name_usage": (
        "“{given}” harus nama 2–8 kata yang memuat sinonim, misalnya "
        "<code>/konteks bukan Pondok Cina</code>"
    ),
    "konteks_variant_usage": (
        "Ejaan lain ditulis 2–6 kata tunggal dipisah =, misalnya "
        "<code>/konteks ejaan Cina = China</code>"
    ),
    "konteks_person_usage": (
        "Tokoh ditulis nama lengkap 2–5 kata, misalnya <code>/konteks tokoh Prabowo Subianto</code>"
    ),
    "konteks_no_synonym": (
        "Tidak ada sinonim di “{given}”, jadi aturan ini tidak mengubah apa pun; "
        "tambahkan dulu dengan /alias"
    ),
    "konteks_limit": "Sudah ada {limit} aturan konteks, batasnya. Hapus satu dengan /konteks hapus",
    "konteks_added": "✅ Aturan konteks <b>#{id}</b>: {rule}",
    "konteks_exists": "Aturan itu sudah ada: <b>#{id}</b> {rule}",
    "konteks_removed": "🗑 Aturan konteks #{id} dihapus.",
    "konteks_missing": "Tidak ada aturan konteks #{id}. Lihat daftarnya dengan /konteks",
    "konteks_list_empty": "Belum ada aturan konteks tambahan dari admin.",
    "konteks_list_header": "<b>Aturan konteks tambahan</b> ({count}), halaman {page}/{pages}:",
    "konteks_next": "Halaman berikut: <code>/konteks {next}</code>",
    "konteks_item": "#{id} · {rule}",
    "konteks_kind_name": "bukan",
    "konteks_kind_variant": "ejaan",
    "konteks_kind_person": "tokoh",
    "unwatch_usage": (
        "Tulis nomor atau teks pantauan, misalnya: <code>/unwatch 1</code>. Nomornya ada di /list"
    ),
    "unwatch_done": "🗑 Pantauan <b>#{id}</b> dihapus: {query}",
    "unwatch_missing": "Tidak ada pantauan “{target}” di obrolan ini. Lihat daftarnya dengan /list",
    "list_empty": "Belum ada pantauan di obrolan ini. Mulai dengan <code>/watch Korea Utara</code>",
    "list_header": "<b>Pantauan di obrolan ini</b> ({count}):",
    "list_item": "#{id} · {query}",
    "list_item_muted": "🔕 #{id} · {query} (dibisukan)",
    "list_footer": "Hapus dengan <code>/unwatch nomor</code>",
    "list_page": "Halaman {page}/{pages}",
    "page_back": "◀️ Sebelumnya",
    "page_next": "Berikutnya ▶️",
    "cmd_cancel": "Batalkan",
    "unmute_button": "🔔 Aktifkan lagi #{id}",
    "mute_button": "🔕 Bisukan #{id}",
    "delete_button": "🗑 Hapus #{id}",
    "preview_button": "👁 Contoh",
    "undo_button": "↩️ Batalkan",
    "restored": "↩️ Pantauan #{id} dipulihkan: {query}",
    "preview_header": "Berita terbaru yang cocok dengan {query}:",
    "preview_none": "Belum ada berita tersimpan dalam seminggu terakhir yang cocok dengan {query}.",
    "muted": "🔕 Pantauan #{id} dibisukan: {query}\nAktifkan lagi lewat /list",
    "muted_short": "Pantauan #{id} dibisukan",
    "unmuted": "🔔 Pantauan #{id} aktif lagi: {query}",
    "unmuted_short": "Pantauan #{id} aktif lagi",
    "button_stale": "Tombol ini sudah tidak berlaku.",
    "unknown_command": "Perintah {command} tidak dikenal. Ketik /help untuk daftar perintah.",
    "cmd_start": "Mulai dan cara pakai",
    "cmd_help": "Daftar perintah",
    "cmd_watch": "Pantau kata kunci",
    "cmd_unwatch": "Hapus pantauan",
    "cmd_list": "Lihat pantauan",
    "cmd_previews": "Pratinjau tautan di peringatan",
    "cmd_timezone": "Zona waktu obrolan",
    "cmd_language": "Bahasa bot",
    "cmd_settings": "Pengaturan obrolan",
    "cmd_channel": "Kirim peringatan ke kanal",
    "channel_usage": "Contoh: <code>/channel @kanal_redaksi</code>, atau <code>/channel off</code>",
    "channel_unknown": "Kanal {name} tidak ditemukan. Periksa namanya, misalnya @kanal_redaksi.",
    "channel_cannot_post": (
        "Saya belum bisa mengirim ke {name}. Jadikan saya admin kanal itu dengan izin "
        "“Kirim pesan”, lalu ulangi perintah ini."
    ),
    "channel_set": "✅ Peringatan obrolan ini kini dikirim ke {name}.",
    "channel_off": "Peringatan kembali dikirim ke obrolan ini.",
    "channel_lost": (
        "⚠️ Saya tidak bisa lagi mengirim ke kanal {name} ({reason}); peringatan kembali "
        "dikirim ke obrolan ini. Hubungkan lagi dengan /channel"
    ),
    "settings": (
        "<b>Pengaturan obrolan ini</b>\nRingkasan: {digest}\nJam tenang: {quiet}\n"
        "Zona waktu: {zone}\nBahasa: {language}\nPratinjau tautan: {previews}\n"
        "Peringatan lonjakan: {spikes}\nLaporan mingguan (Senin 08:00): {weekly}\n"
        "Ketuk tombol untuk mengubah."
    ),
    "setting_digest": "Ringkasan: {value}",
    "setting_quiet": "Jam tenang: {value}",
    "setting_zone": "Zona waktu: {value}",
    "setting_language": "Bahasa: {value}",
    "setting_previews": "Pratinjau tautan: {value}",
    "digest_mode_off": "mati (satu per satu)",
    "digest_mode_hourly": "tiap jam",
    "digest_mode_daily": "tiap hari {at}",
    "on": "hidup",
    "off": "mati",
    "language_usage": "Tulis <code>/language id</code> (Indonesia) atau <code>/language en</code> (English)",
    "language_set": "Bahasa obrolan ini: Indonesia.",
    "cmd_digest": "Peringatan satu per satu atau ringkasan",
    "cmd_quiet": "Jam tenang",
    "cmd_pause": "Hentikan peringatan sementara",
    "cmd_resume": "Lanjutkan peringatan",
    "digest_usage": (
        "Contoh: <code>/digest hourly</code>, <code>/digest daily 07:00</code> atau "
        "<code>/digest off</code>"
    ),
    "digest_off": "Peringatan dikirim satu per satu, langsung.",
    "digest_hourly": "Peringatan dikumpulkan dan dikirim sebagai ringkasan tiap jam.",
    "digest_daily": "Peringatan dikumpulkan dan dikirim sebagai ringkasan tiap hari pukul {at}.",
    "quiet_usage": "Contoh: <code>/quiet 22:00-06:00</code> atau <code>/quiet off</code>",
    "quiet_set": "Jam tenang {start}–{end}: peringatan ditahan dan dikirim sebagai satu ringkasan sesudahnya.",
    "quiet_off": "Jam tenang dimatikan.",
    "paused": "⏸ Peringatan dihentikan sementara. Lanjutkan dengan /resume",
    "resumed": "▶️ Peringatan dilanjutkan.",
    "resume_ask": "Ada {count} peringatan selama jeda. Kirim sebagai ringkasan atau buang?",
    "resume_digest": "Kirim sebagai ringkasan",
    "resume_drop": "Buang",
    "resumed_digest": "▶️ Peringatan dilanjutkan; {count} peringatan yang tertunda menyusul sebagai ringkasan.",
    "resumed_drop": "▶️ Peringatan dilanjutkan; {count} peringatan yang tertunda dibuang.",
    "setting_spikes": "Peringatan lonjakan: {value}",
    "setting_weekly": "Laporan mingguan: {value}",
    "cmd_tren": "Grafik tren pemberitaan",
    "cmd_laporan": "Laporan CSV pemberitaan",
    "tren_usage": (
        "Contoh: <code>/tren 1</code>, <code>/tren Korea Utara 90d</code> atau "
        "<code>/tren 1 2</code> (nomor pantauan ada di /list; periode 7d, 30d atau 90d)"
    ),
    "tren_too_many": "Paling banyak {limit} pantauan atau kueri sekaligus, misalnya <code>/tren 1 2</code>",
    "tren_no_watch": "Tidak ada pantauan #{id} di obrolan ini. Lihat daftarnya dengan /list",
    "tren_none": "Belum ada berita yang cocok dengan {query} dalam {days} hari terakhir.",
    "trend_title": "📊 <b>{query}</b> · {days} hari terakhir",
    "trend_totals": "Total {total} berita · rata-rata {average}/hari",
    "trend_peak": "Puncak: {day} ({count} berita)",
    "trend_outlets": "Media teratas: {outlets}",
    "trend_stored": "Bukan pantauan: dihitung dari berita yang masih tersimpan.",
    "trend_capped": "Dihitung dari {count} berita tersimpan terbaru yang memuat kata kuncinya.",
    "share_title": "📊 <b>Pangsa pemberitaan</b> · {days} hari terakhir",
    "share_line": "{query}: {count} berita ({share})",
    "share_total": "Total {total} berita",
    "chart_days": "{days} hari",
    "chart_unit": "berita per hari",
    "chart_others": "lainnya",
    "chart_share": "Pangsa pemberitaan",
    "spike_title": "📈 <b>Lonjakan pemberitaan</b>: {query}",
    "spike_count": "{count} berita dalam 1 jam terakhir (biasanya {usual} per jam)",
    "laporan_usage": (
        "Contoh: <code>/laporan</code> (semua pantauan, 7 hari terakhir) atau "
        "<code>/laporan 1 30d</code> (periode 7d atau 30d)"
    ),
    "laporan_none": "Belum ada berita yang cocok dengan {what} dalam {days} hari terakhir.",
    "laporan_all": "semua pantauan",
    "laporan_caption": "🗂 <b>Laporan pemberitaan</b> · {what}\n{first} – {last} · {count} berita",
    "laporan_capped": "Hanya {count} berita pertama.",
    "weekly_title": "🗓 <b>Laporan mingguan</b> · {first} – {last}",
    "weekly_counts": "{count} berita untuk {watches} pantauan.",
    "weekly_top": "<b>Berita teratas</b>:",
    "weekly_none": "Tidak ada berita yang cocok dengan pantauan obrolan ini pekan lalu.",
    "weekly_more_charts": "Grafik untuk {count} pantauan tersibuk; semua pantauan ada di berkas CSV.",
    "csv_columns": "tanggal,waktu,media,judul,url,pantauan,kata yang cocok",
    "timezone_usage": (
        "“{given}” bukan zona waktu. Contoh: <code>/timezone WITA</code> atau "
        "<code>/timezone Asia/Jayapura</code>"
    ),
    "timezone_set": "Zona waktu obrolan ini: {zone}. Sekarang {now}.",
    "previews_usage": "Tulis <code>/previews on</code> atau <code>/previews off</code>",
    "previews_on": "Pratinjau tautan kini tampil di bawah peringatan.",
    "previews_off": "Pratinjau tautan kini disembunyikan.",
    # How a watch term is understood (bot.match.explain), issue #15
    "explain_term": "{term}: {synonyms}",
    "explain_alone": "{term}",
    "explain_not": "bukan {cases}",
    "explain_spelled": "juga ditulis {spellings}",
    "explain_initials": "inisial nama",
    "explain_namesakes": "orang lain bernama sama",
    "explain_foreign": "lembaga negara lain",
    # The "not relevant" button under alerts (bot.telegram.feedback), issue #15
    "button_not_relevant": "🚫 Tidak relevan",
    "nr_header": "🔍 <b>Di mana kata kuncinya muncul</b>",
    "nr_watch": "🔎 #{id} · {query}",
    "nr_spot": "• {field}: {before}<b>{term}</b>{after}",
    "nr_spot_plain": "• {field}: {snippet}",
    "nr_field_title": "judul",
    "nr_field_body": "isi",
    "nr_more": "… dan {count} lagi",
    "nr_nowhere": "Tidak ditemukan lagi di teks tersimpan (kueri atau beritanya sudah berubah).",
    "nr_fixes": "Perbaiki dengan satu ketukan (admin grup di grup):",
    "nr_gone": "Pantauan yang memicu peringatan ini sudah tidak ada.",
    "nr_noted": "Dicatat sebagai tidak relevan",
    "fix_exclude": "🚫 Kecualikan “{phrase}”",
    "fix_title": "📰 Hanya di judul: {term}",
    "fix_done": "✏️ Pantauan #{id} kini: {query}\nBatalkan lewat /list.",
    "fix_done_short": "Pantauan #{id} diubah",
    "fix_changed": "Pantauan ini sudah berubah; ketuk Tidak relevan lagi.",
    "fix_exists": "Sudah ada pantauan lain dengan kueri itu.",
    "fix_invalid": "Perbaikan ini bukan kueri yang sah lagi: {query}",
    "revert_button": "↩️ Kembalikan #{id}",
    "reverted": "↩️ Pantauan #{id} kembali ke: {query}",
    "list_flagged": "⚠️ sering ditandai tidak relevan ({flagged} dari {sent} peringatan, 7 hari)",
    "stats_flagged": "\n<b>Tidak relevan</b> (7 hari terakhir: ditandai / terkirim)",
    "stats_flagged_line": "{rate}% · #{id} {query} ({flagged}/{sent})",
    "stats_flagged_none": "Belum ada peringatan yang ditandai.",
    "button_not_relevant_digest": "🚫 Tidak relevan…",
    "nr_pick": "Berita mana yang tidak relevan?",
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
        "/watch &lt;query&gt; — watch for news that matches\n"
        "/unwatch &lt;number or text&gt; — remove a watch\n"
        "/list — the watches of this chat\n"
        "/search &lt;query&gt; — search stored articles\n"
        "/previews on|off — link previews in alerts\n"
        "/timezone WIB|WITA|WIT|Asia/… — this chat's time zone\n"
        "/language id|en — the bot's language\n"
        "/settings — all settings with buttons\n"
        "/channel @name | off — post alerts to a channel\n"
        "/digest off|hourly|daily [07:00] — one by one or digests\n"
        "/quiet 22:00-06:00 | off — quiet hours\n"
        "/pause, /resume — pause and resume alerts\n"
        "/trend &lt;number or query&gt; [7d|30d|90d] — coverage chart; "
        "<code>/trend 1 2</code> compares\n"
        "/report [number] [7d|30d] — CSV file of the matching articles, with its chart\n"
        "/help — this message\n\n"
        "<b>Queries</b>\n"
        "<code>Putin Rusia</code> — both mentioned\n"
        '<code>"Kim Jong Un"</code> — exact phrase\n'
        "<code>Putin OR Rusia</code> — either one\n"
        '<code>-"Korea Selatan"</code> — except articles that mention it\n'
        "<code>title:Putin</code> — in the headline only\n"
        "<code>source:detik.com</code> — from that source only\n"
        "<code>Kim NEAR/5 Putin</code> — at most 5 words apart\n"
        "<code>=Korut</code> — without synonyms\n\n"
        "Words match whole, ignoring case; the endings -nya, -lah, -kah, -pun still match. "
        "Capital acronyms of up to 3 letters (AS, UN, MK) only match in capitals."
    ),
    "watch_added": "✅ Watching <b>#{id}</b>: {query}",
    "watch_exists": "Already watching <b>#{id}</b>: {query}",
    "watch_recent": "Already {count} articles in the last 24 hours:",
    "flow_ask": "What should I watch? Type the keywords, for example <code>Korea Utara</code> (/cancel to stop).",
    "flow_understood": "Understood as: {query}",
    "flow_save": "✅ Save",
    "flow_cancel": "Cancel",
    "flow_cancelled": "Cancelled; nothing was saved.",
    "watch_limit": "This chat already has {limit} watches, the limit. Remove one with /unwatch",
    "group_admins_only": "In a group, only the group's admins may change its watches and settings.",
    "not_permitted": "You may not do that in this chat.",
    "channel_admins_only": "Only the admins of the channel {name} may send alerts there.",
    "cmd_search": "Search stored articles",
    "search_header": "<b>{count} newest articles</b> for {query}:",
    "search_none": "No stored article matches {query} yet.",
    "query_empty": "Put the query after the command, for example: <code>/watch Korea Utara</code>",
    "query_too_long": (
        "The query is too long ({length} characters, at most {limit}). "
        'Example: <code>/watch "Kim Jong Un" Putin</code>'
    ),
    "query_too_many_terms": (
        "The query has {count} terms, at most {limit}. "
        "Split it into several watches, for example: <code>/watch Putin OR Rusia</code>"
    ),
    "query_unbalanced_quote": (
        'A quotation mark is not closed. Example: <code>/watch "Kim Jong Un" Putin</code>'
    ),
    "query_unbalanced_bracket": (
        "The bracket {token} has no partner. Example: <code>/watch Kim (Putin OR Rusia)</code>"
    ),
    "query_dangling": (
        "OR, NEAR and the minus sign need a word next to them. "
        "Example: <code>/watch Putin OR Rusia</code>"
    ),
    "query_unexpected": "“{token}” is out of place. Example: <code>/watch Kim (Putin OR Rusia)</code>",
    "query_only_exclusions": (
        "A query needs at least one word to look for, not only exclusions. "
        "Example: <code>/watch Korea -Selatan</code>"
    ),
    "query_no_words": "“{term}” has no word to match. Example: <code>/watch Korea Utara</code>",
    "query_unknown_field": (
        "The prefix “{field}:” is unknown; use title: or source:. "
        "Example: <code>/watch title:Putin</code>"
    ),
    "query_near_terms": "NEAR joins two words or phrases. Example: <code>/watch Kim NEAR/5 Putin</code>",
    "query_near_distance": (
        "The NEAR distance must be 1 to {limit} words. Example: <code>/watch Kim NEAR/5 Putin</code>"
    ),
    "sources_usage": "List sources: <code>/sources</code> (next page: <code>/sources 2</code>)",
    "addsource_usage": (
        "Add a source: <code>/addsource https://www.antaranews.com/rss/terkini.xml</code> "
        'or <code>/addsource gnews:"Korea Utara"</code>'
    ),
    "source_id_usage": "Give the source's number, for example: <code>/pausesource 3</code> (numbers are in /sources)",
    "interval_usage": "Example: <code>/interval 3 5m</code>, or <code>/interval 3 auto</code> to let it adapt",
    "sources_empty": "No sources yet. Add one with <code>/addsource URL</code>",
    "sources_header": "<b>Sources</b> ({count}), page {page}/{pages}:",
    "sources_next": "Next page: <code>/sources {next}</code>",
    "never": "never",
    "source_line": (
        "<b>#{id} {name}</b> — {state}, every {every}\n"
        "Last success: {last} · {items} articles/24 h\n{url}"
    ),
    "source_errors": "⚠️ {count} errors in a row: {error}",
    "state_active": "active",
    "state_paused": "paused",
    "state_failing": "failing",
    "addsource_bad_url": "“{url}” is not an http(s) URL. Example: <code>/addsource https://rss.tempo.co/nasional</code>",
    "addsource_unreachable": "Could not open {url}: {detail}. Nothing was saved.",
    "addsource_no_feed": "No RSS/Atom feed found at {url}. Nothing was saved.",
    "addsource_duplicate": "{url} is already a source. See /sources",
    "addsource_done": "✅ Source <b>#{id}</b> added: {name}\n{url}\nNewest articles:",
    "source_removed": "🗑 Source #{id} removed.",
    "source_missing": "There is no source #{id}. See /sources",
    "source_paused": "⏸ Source #{id} paused.",
    "source_resumed": "▶️ Source #{id} resumed.",
    "interval_set": "Source #{id} is now fetched every {every}.",
    "interval_auto": "Source #{id} now adapts its schedule to how often it publishes.",
    "source_failing": "⚠️ Source #{id} {name} has been failing for a long time: {error}",
    "source_recovered": "✅ Source #{id} {name} works again.",
    "admin_only": "Sorry, this command is for Pantau's admins only.",
    "error_generic": "Sorry, something went wrong with this command. Please try again shortly.",
    "months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
    "button_open": "Open",
    "button_mute": "Stop watching",
    "also_reported": "Also reported by",
    "more_outlets": "and {count} more",
    "widely_reported": "Widely reported",
    "digest_header": "🗞 <b>Digest</b> · {count} articles",
    "digest_storm": "⚠️ Too many alerts within an hour; the rest are gathered here.",
    "digest_more": "(continued)",
    "too_many_commands": "Too many commands. Wait a moment, then try again.",
    "not_allowed": "This bot is for registered users only. Ask an admin to run <code>/allow {id}</code>.",
    "allow_usage": "Example: <code>/allow 12345</code> (a Telegram user id)",
    "stats": (
        "<b>Pantau statistics</b>\n"
        "Sources: {active} active, {failing} failing, {paused} paused\n"
        "Articles stored today: {articles}\n"
        "Alerts sent today: {sent} (failed: {failed})\n"
        "Queue: {queued} waiting, {held} held for digests\n"
        "Article pages waiting: {pages}\n"
        "Running since: {started} ({uptime})\n"
        "Database: {size}"
    ),
    "stats_usage": "Bot statistics: <code>/stats</code>",
    "allowed": "✅ User {id} may use the bot.",
    "alias_usage": (
        "Add synonyms: <code>/alias Korut = Korea Utara, North Korea</code>\n"
        "Remove: <code>/alias remove 3</code>"
    ),
    "alias_added": "✅ Synonyms <b>#{id}</b>: {names}",
    "alias_removed": "🗑 Synonyms #{id} removed.",
    "alias_missing": "There are no synonyms #{id}. See the list with /alias",
    "alias_list_empty": "No synonyms added by admins yet.",
    "alias_list_header": "<b>Added synonyms</b>:",
    "alias_item": "#{id} · {names}",
    "konteks_usage": (
        "Write: <code>/context not AS Roma</code>, <code>/context spelling Cina = China</code>, "
        "<code>/context person Prabowo Subianto</code> or <code>/context remove 3</code>"
    ),
    "konteks_help": (
        "A longer name that is not the synonym: <code>/context not AS Roma</code>\n"
        "Other spellings of one word (in phrases too): <code>/context spelling Cina = China</code>\n"
        "A person (the short name is only them): <code>/context person Prabowo Subianto</code>\n"
        "Remove: <code>/context remove 3</code>"
    ),
    "konteks_too_long": "The rule is too long ({length} characters, max {limit}).",
    "konteks_name_usage": (
        "“{given}” must be a name of 2–8 words with a synonym in it, for example "
        "<code>/context not Pondok Cina</code>"
    ),
    "konteks_variant_usage": (
        "Other spellings are 2–6 single words separated by =, for example "
        "<code>/context spelling Cina = China</code>"
    ),
    "konteks_person_usage": (
        "A person is a full name of 2–5 words, for example "
        "<code>/context person Prabowo Subianto</code>"
    ),
    "konteks_no_synonym": (
        "There is no synonym in “{given}”, so the rule would change nothing; "
        "add one first with /alias"
    ),
    "konteks_limit": "There are already {limit} context rules, the maximum. Remove one with /context remove",
    "konteks_added": "✅ Context rule <b>#{id}</b>: {rule}",
    "konteks_exists": "That rule exists already: <b>#{id}</b> {rule}",
    "konteks_removed": "🗑 Context rule #{id} removed.",
    "konteks_missing": "There is no context rule #{id}. See the list with /context",
    "konteks_list_empty": "No context rules added by admins yet.",
    "konteks_list_header": "<b>Added context rules</b> ({count}), page {page}/{pages}:",
    "konteks_next": "Next page: <code>/context {next}</code>",
    "konteks_item": "#{id} · {rule}",
    "konteks_kind_name": "not",
    "konteks_kind_variant": "spelling",
    "konteks_kind_person": "person",
    "unwatch_usage": (
        "Give the number or the text of a watch, for example: <code>/unwatch 1</code>. "
        "The numbers are in /list"
    ),
    "unwatch_done": "🗑 Removed watch <b>#{id}</b>: {query}",
    "unwatch_missing": "This chat has no watch “{target}”. See the list with /list",
    "list_empty": "This chat watches nothing yet. Start with <code>/watch Korea Utara</code>",
    "list_header": "<b>Watches in this chat</b> ({count}):",
    "list_item": "#{id} · {query}",
    "list_item_muted": "🔕 #{id} · {query} (muted)",
    "list_footer": "Remove one with <code>/unwatch number</code>",
    "list_page": "Page {page}/{pages}",
    "page_back": "◀️ Previous",
    "page_next": "Next ▶️",
    "cmd_cancel": "Cancel",
    "unmute_button": "🔔 Watch again #{id}",
    "mute_button": "🔕 Mute #{id}",
    "delete_button": "🗑 Delete #{id}",
    "preview_button": "👁 Preview",
    "undo_button": "↩️ Undo",
    "restored": "↩️ Watch #{id} restored: {query}",
    "preview_header": "Newest articles matching {query}:",
    "preview_none": "No stored article of the last week matches {query} yet.",
    "muted": "🔕 Watch #{id} muted: {query}\nTurn it back on from /list",
    "muted_short": "Watch #{id} muted",
    "unmuted": "🔔 Watch #{id} is on again: {query}",
    "unmuted_short": "Watch #{id} is on again",
    "button_stale": "This button is no longer available.",
    "unknown_command": "Unknown command {command}. Type /help for the list of commands.",
    "cmd_start": "Start and how to use",
    "cmd_help": "List of commands",
    "cmd_watch": "Watch keywords",
    "cmd_unwatch": "Remove a watch",
    "cmd_list": "Show watches",
    "cmd_previews": "Link previews in alerts",
    "cmd_timezone": "This chat's time zone",
    "cmd_language": "The bot's language",
    "cmd_settings": "This chat's settings",
    "cmd_channel": "Post alerts to a channel",
    "channel_usage": "Example: <code>/channel @newsroom_alerts</code>, or <code>/channel off</code>",
    "channel_unknown": "Channel {name} was not found. Check its name, for example @newsroom_alerts.",
    "channel_cannot_post": (
        "I cannot post to {name} yet. Make me an admin of that channel allowed to "
        "“Post messages”, then repeat this command."
    ),
    "channel_set": "✅ This chat's alerts now go to {name}.",
    "channel_off": "Alerts come to this chat again.",
    "channel_lost": (
        "⚠️ I can no longer post to the channel {name} ({reason}); alerts come to this chat "
        "again. Link it again with /channel"
    ),
    "settings": (
        "<b>This chat's settings</b>\nDigest: {digest}\nQuiet hours: {quiet}\n"
        "Time zone: {zone}\nLanguage: {language}\nLink previews: {previews}\n"
        "Spike alerts: {spikes}\nWeekly report (Monday 08:00): {weekly}\n"
        "Tap a button to change it."
    ),
    "setting_digest": "Digest: {value}",
    "setting_quiet": "Quiet hours: {value}",
    "setting_zone": "Time zone: {value}",
    "setting_language": "Language: {value}",
    "setting_previews": "Link previews: {value}",
    "digest_mode_off": "off (one by one)",
    "digest_mode_hourly": "hourly",
    "digest_mode_daily": "daily at {at}",
    "on": "on",
    "off": "off",
    "language_usage": "Write <code>/language en</code> (English) or <code>/language id</code> (Indonesia)",
    "language_set": "This chat's language: English.",
    "cmd_digest": "Alerts one by one or as digests",
    "cmd_quiet": "Quiet hours",
    "cmd_pause": "Pause alerts",
    "cmd_resume": "Resume alerts",
    "digest_usage": (
        "Example: <code>/digest hourly</code>, <code>/digest daily 07:00</code> or "
        "<code>/digest off</code>"
    ),
    "digest_off": "Alerts are sent one by one, at once.",
    "digest_hourly": "Alerts are gathered and sent as an hourly digest.",
    "digest_daily": "Alerts are gathered and sent as a daily digest at {at}.",
    "quiet_usage": "Example: <code>/quiet 22:00-06:00</code> or <code>/quiet off</code>",
    "quiet_set": "Quiet hours {start}–{end}: alerts wait and come as one digest afterwards.",
    "quiet_off": "Quiet hours are off.",
    "paused": "⏸ Alerts paused. Resume with /resume",
    "resumed": "▶️ Alerts resumed.",
    "resume_ask": "{count} alerts came in during the pause. Send them as a digest or drop them?",
    "resume_digest": "Send as a digest",
    "resume_drop": "Drop them",
    "resumed_digest": "▶️ Alerts resumed; the {count} missed ones follow as a digest.",
    "resumed_drop": "▶️ Alerts resumed; the {count} missed ones were dropped.",
    "setting_spikes": "Spike alerts: {value}",
    "setting_weekly": "Weekly report: {value}",
    "cmd_tren": "Coverage trend chart",
    "cmd_laporan": "Coverage report (CSV)",
    "tren_usage": (
        "Example: <code>/trend 1</code>, <code>/trend North Korea 90d</code> or "
        "<code>/trend 1 2</code> (watch numbers are in /list; period 7d, 30d or 90d)"
    ),
    "tren_too_many": "At most {limit} watches or queries at once, e.g. <code>/trend 1 2</code>",
    "tren_no_watch": "This chat has no watch #{id}. See them with /list",
    "tren_none": "No articles matching {query} in the last {days} days yet.",
    "trend_title": "📊 <b>{query}</b> · last {days} days",
    "trend_totals": "Total {total} articles · average {average}/day",
    "trend_peak": "Peak: {day} ({count} articles)",
    "trend_outlets": "Top outlets: {outlets}",
    "trend_stored": "Not a watch: counted over the articles still stored.",
    "trend_capped": "Counted over the newest {count} stored articles holding its words.",
    "share_title": "📊 <b>Share of voice</b> · last {days} days",
    "share_line": "{query}: {count} articles ({share})",
    "share_total": "Total {total} articles",
    "chart_days": "{days} days",
    "chart_unit": "articles per day",
    "chart_others": "others",
    "chart_share": "Share of voice",
    "spike_title": "📈 <b>Coverage spike</b>: {query}",
    "spike_count": "{count} articles in the last hour (usually {usual} an hour)",
    "laporan_usage": (
        "Example: <code>/report</code> (all watches, last 7 days) or "
        "<code>/report 1 30d</code> (period 7d or 30d)"
    ),
    "laporan_none": "No articles matching {what} in the last {days} days yet.",
    "laporan_all": "all watches",
    "laporan_caption": "🗂 <b>Coverage report</b> · {what}\n{first} – {last} · {count} articles",
    "laporan_capped": "Only the first {count} articles.",
    "weekly_title": "🗓 <b>Weekly report</b> · {first} – {last}",
    "weekly_counts": "{count} articles for {watches} watches.",
    "weekly_top": "<b>Top stories</b>:",
    "weekly_none": "No articles matched this chat's watches last week.",
    "weekly_more_charts": "Charts for the {count} busiest watches; every watch is in the CSV file.",
    "csv_columns": "date,time,outlet,headline,url,watch,matched terms",
    "timezone_usage": (
        "“{given}” is not a time zone. Example: <code>/timezone WITA</code> or "
        "<code>/timezone Asia/Jayapura</code>"
    ),
    "timezone_set": "This chat's time zone: {zone}. It is now {now}.",
    "previews_usage": "Write <code>/previews on</code> or <code>/previews off</code>",
    "previews_on": "Link previews now show under alerts.",
    "previews_off": "Link previews are now hidden.",
    # How a watch term is understood (bot.match.explain), issue #15
    "explain_term": "{term}: {synonyms}",
    "explain_alone": "{term}",
    "explain_not": "not {cases}",
    "explain_spelled": "also written {spellings}",
    "explain_initials": "initials",
    "explain_namesakes": "namesakes",
    "explain_foreign": "another country's",
    # The "not relevant" button under alerts (bot.telegram.feedback), issue #15
    "button_not_relevant": "🚫 Not relevant",
    "nr_header": "🔍 <b>Where the terms occurred</b>",
    "nr_watch": "🔎 #{id} · {query}",
    "nr_spot": "• {field}: {before}<b>{term}</b>{after}",
    "nr_spot_plain": "• {field}: {snippet}",
    "nr_field_title": "headline",
    "nr_field_body": "text",
    "nr_more": "… and {count} more",
    "nr_nowhere": "No longer found in the stored text (the query or the article changed).",
    "nr_fixes": "Fix it in one tap (in groups, group admins):",
    "nr_gone": "The watches behind this alert are gone.",
    "nr_noted": "Noted as not relevant",
    "fix_exclude": "🚫 Exclude “{phrase}”",
    "fix_title": "📰 Headline only: {term}",
    "fix_done": "✏️ Watch #{id} is now: {query}\nUndo it from /list.",
    "fix_done_short": "Watch #{id} changed",
    "fix_changed": "This watch has changed since; tap Not relevant again.",
    "fix_exists": "Another watch already has that query.",
    "fix_invalid": "This fix is no longer a valid query: {query}",
    "revert_button": "↩️ Undo change #{id}",
    "reverted": "↩️ Watch #{id} is back to: {query}",
    "list_flagged": "⚠️ often flagged not relevant ({flagged} of {sent} alerts, 7 days)",
    "stats_flagged": "\n<b>Not relevant</b> (last 7 days: flagged / sent)",
    "stats_flagged_line": "{rate}% · #{id} {query} ({flagged}/{sent})",
    "stats_flagged_none": "No alert has been flagged.",
    "button_not_relevant_digest": "🚫 Not relevant…",
    "nr_pick": "Which article is not relevant?",
}

CATALOGUES: dict[str, dict[str, str]] = {"id": ID, "en": EN}


def language_of(telegram_language: str | None) -> str:
    """The bot's language for a Telegram `language_code`."""
    return "en" if (telegram_language or "").lower().startswith("en") else DEFAULT_LANGUAGE


def text(language: str, key: str, /, **values: object) -> str:
    """The text for `key` in `language`, with every value HTML-escaped."""
    catalogue = CATALOGUES.get(language, CATALOGUES[DEFAULT_LANGUAGE])
    escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
    return catalogue[key].format(**escaped)


def telegram_length(markup: str) -> int:
    """The length Telegram checks against its limits: UTF-16 code units of the text the HTML
    shows (tags removed, entities decoded)."""
    return len(html.unescape(_TAG.sub("", markup)).encode("utf-16-le")) // 2
