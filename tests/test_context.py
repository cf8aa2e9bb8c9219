"""Context rules: sentences of our own for each class, checked on the index and the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, read_alias_groups, read_context_rules
from bot.match import (
    ContextRules,
    Document,
    MatchIndex,
    RuleError,
    build_table,
    explain,
    parse_query,
)
from bot.match.reference import evaluate
from bot.models import Watch

ALIASES_FILE = Path(__file__).resolve().parents[1] / "config" / "aliases.toml"
GROUPS = read_alias_groups(ALIASES_FILE)
RULES = read_context_rules(ALIASES_FILE)
LEXICON = build_table(GROUPS, RULES)


def fires(query: str, title: str, body: str = "", lexicon=LEXICON) -> bool:
    parsed = parse_query(query, lexicon)
    document = Document(title, body)
    fast = bool(MatchIndex([(Watch(1, 1, query, parsed.display), parsed)]).match(document))
    assert fast == evaluate(parsed, document), "index and reference disagree"
    return fast


INITIALS = [
    ("AS", "", "Polisi menangkap tersangka berinisial AS (41) di rumahnya di Bekasi."),
    ("AS", "", "Brigpol AS dan dua rekannya dimutasi ke Polres Bogor."),
    ("MA", "", "Ibu korban berinisial MA, 35 tahun, melapor ke polsek setempat."),
    ("MA", "", "Polisi menahan seorang pria. MA (29) mengaku mencuri motor tetangganya."),
    ("MK", "", "Petugas mengamankan MK (pelaku) di terminal bus."),
    ("BI", "", "Jaksa menetapkan BI sebagai tersangka kasus pengadaan lahan."),
    ("AS", "", "Sopir berinisial AS ditangkap. Dalam pemeriksaan, AS mengaku lelah menyetir."),
    ("AS", "", "Apel pagi dipimpin Kombes Pol Hadi AS di halaman markas."),
    ("MA", "", "Penelitian itu dipaparkan Dr Rudi Hartono MA di kampusnya."),
]
STILL_INITIALS_FREE = [
    ("AS", "", "Presiden AS mengumumkan sanksi baru terhadap Iran."),
    ("AS", "", "Rupiah melemah terhadap dolar AS pada Senin pagi."),
    ("AS", "", "Massa berkumpul di depan Kedubes AS di Jakarta."),
    ("AS", "", "Tersangka berinisial AS ditangkap membawa uang 20 ribu dolar AS tunai."),
    ("AS", "", "Hubungan AS-Korut kembali memanas setelah uji rudal."),
    ("MK", "", "Juru Bicara MK Fajar Laksono menyampaikan jadwal sidang."),
    ("TNI", "", "Pangdam Letjen TNI Budi Santoso meninjau lokasi banjir."),
    ("MA", "", "Mahkamah Agung (MA) menolak kasasi. Juru bicara MA menyatakan putusan final."),
    ("KPK", "", "Pansus Angket KPK memanggil pimpinan KPK pekan depan."),
]
LONGER_NAMES = [
    ("AS", "AS Roma Menang 2-0", "AS Roma mengalahkan Genoa di Olimpico."),
    ("AS", "", "Kylian Mbappe bertahan di AS Monaco musim depan."),
    ("AS", "", "Gelandang itu pulih, dikutip dari AS, harian olahraga Spanyol."),
    ("AS", "", "Program PMT-AS kembali digulirkan di sekolah dasar."),
    ("PBB", "", "Tagihan PBB-P2 di Kabupaten Bogor naik tahun ini."),
    ("PBB", "", "Warga antre bayar PBB di kantor desa sejak pagi."),
    ("PBB", "", "Partai Bulan Bintang (PBB) mendaftar ke KPU. PBB optimistis lolos."),
    ("PBB", "", "Pasangan itu diusung PKB, PPP dan PBB dalam pilkada."),
    ("MA", "", "Kuota penerimaan siswa SMA/SMK/MA negeri ditambah."),
    ("MA", "", "Rektor melantik Dr Siti Aminah, SE, MA, PhD sebagai dekan."),
    ("MA", "", "Harga saham menembus MA 50 untuk pertama kali bulan ini."),
    ("MK", "", "Dana itu diatur dalam surat bernomor S-12/MK.03/2019 dari menteri."),
    ("MK", "", "Petani menanam jagung pada musim kemarau (MK) tahun ini."),
    ("DPR", "", "Dewan Perwakilan Rakyat Daerah (DPRD) DKI menggelar paripurna."),
    ("China", "", "Banjir kembali merendam permukiman di Bidara Cina, Jakarta Timur."),
    ("China", "", "Mahasiswa berjalan kaki dari stasiun Pondok Cina, Depok."),
    ("China", "", "Pengunjung memadati vihara saat Tahun Baru Cina di Glodok."),
    ("China", "", "Keluarga itu keturunan Cina dan sudah tiga generasi di Medan."),
    ("Jepang", "", "Warga Desa Jepang, Bojonegoro, memanen padi lebih awal."),
    ("AS", "", "Turis dari Amerika Latin dan Amerika Selatan berdatangan."),
    ("AS", "", "Startup itu membuka kantor di Eropa, Amerika, dan Asia."),
    ("MA", "", "Mahkamah Agung Kanada memutuskan gugatan itu tidak sah."),
    ("BI", "", "Menurut data World Bank, Indonesia merupakan negara berpendapatan menengah."),
    ("TNI", "", "PS TNI menahan imbang Persija di Stadion Pakansari."),
]
STILL_FIRES = [
    ("DPR", "", "Dewan Perwakilan Rakyat menyetujui anggaran itu."),
    ("Jepang", "", "Produk elektronik Jepang masih menguasai pasar."),
    ("AS", "", "Investor itu membawa 300 juta dolar Amerika ke Batam."),
    ("AS", "", "Pejabat Amerika menolak berkomentar soal kunjungan itu."),
    ("AS", "", "Petenis itu menjuarai AS Terbuka tahun lalu."),
    ("PBB", "", "Sekjen PBB Antonio Guterres menyerukan gencatan senjata."),
    ("PBB", "", "Perserikatan Bangsa-Bangsa (PBB) mengirim bantuan pangan."),
    ("MA", "", "Putusan MA Nomor 12 menguatkan vonis pengadilan tinggi."),
    ("MA", "", "Laporan tahunan MA 2016 dibacakan di sidang pleno."),
    ("BI", "", "Bank Indonesia menaikkan suku bunga acuan."),
    ("MA", "", "Berkas itu dikirim ke Mahkamah Agung RI pekan lalu."),
]
NAMESAKES = [
    ("Prabowo", "", "Wakil ketua umum partai itu, Edhy Prabowo, menilai aksi itu wajar."),
    ("Prabowo", "", "Kabid Humas Kombes Raden Prabowo Argo Yuwono membenarkan penangkapan."),
    ("Prabowo", "Edhy Prabowo Diperiksa", "Penyidik memeriksa Edhy Prabowo selama delapan jam."),
    ("Trump", "", "Ivanka Trump tiba di Riyadh bersama rombongan."),
]
NAMESAKE_FIRES = [
    ("Prabowo", "", "Presiden Prabowo meresmikan jembatan itu pada Senin."),
    ("Prabowo", "", "Menhan Prabowo menerima kunjungan delegasi Australia."),
    ("Prabowo", "", "Ketua Umum Gerindra Prabowo Subianto hadir di acara itu."),
    ("Prabowo", "", "Prabowo mengatakan, pembangunan akan dilanjutkan."),
    ("Prabowo", "Prabowo Resmikan Jembatan", "Jembatan itu diresmikan oleh presiden."),
    ("Prabowo", "", "Ketua Umum Gerindra Prabowo mengatakan koalisi tetap solid."),
    ("Trump", "", "Presiden Trump menandatangani perintah eksekutif itu."),
]
SPELLINGS = [
    ("Hong Kong", "", "Harga properti di Hongkong turun tajam."),
    ("China", "", "Pemerintah RRC memprotes latihan militer itu."),
    ("Korea Selatan", "", "Wisatawan dari Negeri Ginseng meningkat tahun ini."),
    ("Polri", "", "Korps Bhayangkara merayakan ulang tahunnya."),
    ('"Laut China Selatan"', "", "Kapal patroli berlayar di Laut Cina Selatan."),
    ('"Laut China Selatan"', "", "Sengketa Laut Tiongkok Selatan dibahas di ASEAN."),
    ("=Cina", "", "Investor China menanamkan modal di Morowali."),
    ("UN", "", "Siswa SMA mulai mengikuti ujian nasional hari ini."),
]


@pytest.mark.parametrize("case", INITIALS + LONGER_NAMES + NAMESAKES)
def test_another_meaning_does_not_fire(case):
    assert not fires(*case)


@pytest.mark.parametrize("case", STILL_INITIALS_FREE + STILL_FIRES + NAMESAKE_FIRES + SPELLINGS)
def test_the_watched_meaning_still_fires(case):
    assert fires(*case)


def test_written_exactly_the_rules_do_not_apply():
    assert fires("=AS", "", "AS Roma mengalahkan Genoa di Olimpico.")
    assert fires("=Prabowo", "", "Wakil ketua umum partai itu, Edhy Prabowo, menilai.")


def test_without_rules_the_old_matching_holds():
    plain = build_table(GROUPS)
    assert fires("AS", "", "AS Roma mengalahkan Genoa di Olimpico.", plain)
    assert not fires('"Laut China Selatan"', "", "di Laut Cina Selatan", plain)


def test_hits_and_occurrences_count_only_the_watched_meaning():
    query = parse_query("AS", LEXICON)
    index = MatchIndex([(Watch(1, 1, "AS", query.display), query)])
    body = "Pemain AS Roma itu pindah. Presiden AS menyambut baik keputusan tersebut."
    [found] = index.match(Document("", body))
    assert [(h.term, h.start) for h in found.hits()] == [("AS", 6)]
    [occurrence] = found.occurrences(width=20)
    assert (occurrence.start, body[occurrence.start : occurrence.end]) == (36, "AS")
    assert occurrence.snippet == "…pindah. Presiden AS menyambut baik…"
    assert occurrence.phrase == "Presiden AS"


def test_the_phrase_to_exclude_takes_the_capitalised_neighbour():
    query = parse_query("=AS", LEXICON)
    index = MatchIndex([(Watch(1, 1, "=AS", query.display), query)])
    [found] = index.match(Document("", "Gol tunggal itu membawa AS Roma ke final."))
    [occurrence] = found.occurrences()
    assert occurrence.phrase == "AS Roma"
    assert occurrence.snippet == "Gol tunggal itu membawa AS Roma ke final."


def test_rules_added_later_extend_the_file():
    tournament = "Petenis itu menjuarai AS Terbuka tahun lalu."
    assert fires("AS", "", tournament)
    extra = {"rule": [{"names": ["AS"], "next": ["Terbuka"], "label": "AS Terbuka"}]}
    extended = build_table(GROUPS, ContextRules.from_tables(_file_tables(), extra))
    assert not fires("AS", "", tournament, extended)
    village = "Panen raya di Kampung Jepang, Karawang."
    assert fires("Jepang", "", village)
    named = build_table(
        GROUPS, ContextRules.from_tables(_file_tables(), {"names": {"other": ["Kampung Jepang"]}})
    )
    assert not fires("Jepang", "", village, named)
    assert "AS Terbuka" in explain(parse_query("AS", extended), "en")[0]


def _file_tables():
    import tomllib

    return tomllib.loads(ALIASES_FILE.with_name("context.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "table",
    [
        {"rule": {"names": ["AS"]}},
        {"rule": [{"names": []}]},
        {"rule": [{"names": ["AS"], "listed_with": "planets"}]},
        {"variants": [{"words": ["China"]}]},
        {"variants": [{"words": ["Laut China", "Laut Cina"]}]},
        {"vocabulary": {"colours": ["merah"]}},
        {"persons": {"names": "Prabowo Subianto"}},
    ],
)
def test_bad_rules_are_refused_with_a_reason(table):
    with pytest.raises(RuleError):
        ContextRules.from_tables(table)


def test_a_broken_context_file_is_a_config_error(tmp_path):
    aliases = tmp_path / "aliases.toml"
    aliases.write_text("", encoding="utf-8")
    assert read_context_rules(aliases) == ContextRules()
    aliases.with_name("context.toml").write_text("[[rule]]\nnames = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"context\.toml"):
        read_context_rules(aliases)
    aliases.with_name("context.toml").write_text("[[rule]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_context_rules(aliases)


def test_explanation_names_the_rules_in_both_languages():
    english = explain(parse_query("AS", LEXICON), "en")
    indonesian = explain(parse_query("as", LEXICON), "id")
    assert english[0].startswith("AS: Amerika Serikat") and "AS Roma" in english[0]
    assert english[0].endswith("initials")
    assert indonesian[0].endswith("inisial nama")
    assert explain(parse_query("Prabowo", LEXICON), "en") == [
        "Prabowo: Prabowo Subianto; not namesakes"
    ]
    assert explain(parse_query('"Laut Cina Selatan"', LEXICON), "en") == [
        '"Laut Cina Selatan"; also written China, Tiongkok'
    ]
    assert explain(parse_query("=AS banjir", LEXICON), "en") == []


def test_an_acronym_is_no_bare_name_of_a_person():
    """UN (Ujian Nasional) is a word of "Kim Jong Un" only when folded: no namesake rule."""
    assert "namesakes" not in explain(parse_query("UN", LEXICON), "en")[0]
    assert fires("UN", "Nilai UN Budi tahun ini naik", "Nilai UN Budi tahun ini naik.")
