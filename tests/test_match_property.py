"""Property: the fast index and the reference evaluator agree on generated queries and texts."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.config import read_alias_groups, read_context_rules
from bot.match import Document, MatchIndex, QueryError, build_table, parse_query
from bot.match.reference import evaluate
from bot.models import Watch

ALIASES_FILE = Path(__file__).resolve().parents[1] / "config" / "aliases.toml"
ALIASES = build_table(read_alias_groups(ALIASES_FILE), read_context_rules(ALIASES_FILE))
WORDS = [
    "Korea",
    "Utara",
    "Selatan",
    "Rusia",
    "Putin",
    "Kim",
    "Jong",
    "Un",
    "UN",
    "AS",
    "as",
    "di",
    "negara",
    "Korut",
    "Jakarta",
    "Prabowo",
    "MA",
    "Cina",
    "Tiongkok",
    "PBB",
    "Amerika",
    "DPR",
]
TEXT_ONLY = [
    "Putinnya",
    "Rusia-lah",
    "KIM",
    "putinpun",
    "Rusiakah",
    "negara-negara",
    "Russia",
    "Prusia",
    "Amerika Serikat",
    "Korea-Utara",
    "Jakartanya",
    "ASnya",
    "Zelénskyy",
    "Edhy",
    "Subianto",
    "Presiden",
    "berinisial",
    "Brigpol",
    "Roma",
    "dolar",
    "Laut",
    "Bidara",
    "China",
    "Chinanya",
    "Cinanya",
    "Tiongkoklah",
    "Muchlis",
    "Dewan Perwakilan Rakyat Daerah",
    "Dewan Perwakilan Rakyat",
    "PKB",
    "Eropa",
    "Asia",
    "Mahkamah Agung",
    "Kanada",
    "53",
    "217",
    "P2",
    "SMK",
    "Partai Bulan Bintang (PBB)",
    "sebagai tersangka",
    "Juru Bicara",
]
PUNCTUATION = [" ", " ", " ", ", ", ". ", " (", ") ", " - ", "—", "-", "/", "."]

word = st.sampled_from(WORDS)
phrase = st.lists(word, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
atom = st.tuples(st.sampled_from(["", "", "", "title:", "="]), st.one_of(word, phrase)).map("".join)
near = st.tuples(atom, st.integers(1, 4), atom).map(lambda t: f"{t[0]} NEAR/{t[1]} {t[2]}")
source = st.sampled_from(["source:detik.com", 'source:"CNN Indonesia"'])
positive_leaf = st.one_of(atom, atom, atom, near)
exclusion = st.one_of(atom.map(lambda a: f"-{a}"), atom.map(lambda a: f"-({a} OR Jakarta)"))


def combine(children):
    return st.one_of(
        st.lists(children, min_size=2, max_size=3).map(" ".join),
        st.lists(children, min_size=2, max_size=3).map(" OR ".join),
        children.map(lambda c: f"({c})"),
    )


positive = st.recursive(positive_leaf, combine, max_leaves=5)
queries = st.tuples(positive, st.lists(st.one_of(exclusion, source), max_size=2)).map(
    lambda parts: " ".join([f"({parts[0]})", *parts[1]])
)


def cased(token: str, style: int) -> str:
    return [token, token.upper(), token.lower(), token.capitalize()][style]


text = st.lists(
    st.tuples(st.sampled_from(WORDS + TEXT_ONLY), st.integers(0, 3), st.sampled_from(PUNCTUATION)),
    max_size=40,
).map(lambda parts: "".join(cased(t, s) + p for t, s, p in parts))

documents = st.builds(
    Document,
    title=text,
    body=text,
    source_name=st.sampled_from(["detikNews", "CNN Indonesia", "Kompas"]),
    hosts=st.sampled_from([("news.detik.com",), ("cnnindonesia.com",), ("kompas.com",)]),
)


def parsed_or_reject(raw: str):
    try:
        return parse_query(raw, ALIASES)
    except QueryError:
        assume(False)
        raise


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    raw=st.lists(queries, min_size=1, max_size=5), docs=st.lists(documents, min_size=1, max_size=3)
)
def test_index_agrees_with_reference(raw, docs):
    parsed = [parsed_or_reject(q) for q in raw]
    index = MatchIndex(
        [(Watch(i, i, q, p.display), p) for i, (q, p) in enumerate(zip(raw, parsed, strict=True))]
    )
    for document in docs:
        fast = sorted(w.id for m in index.match(document) for w in m.watches)
        slow = [i for i, p in enumerate(parsed) if evaluate(p, document)]
        assert fast == slow, (raw, document)
