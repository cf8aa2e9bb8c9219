"""Benchmark the match index against the naive approach, on synthetic Indonesian news.

    python benchmarks/match.py [--articles 2000] [--sizes 100,10000,100000] [--naive-sample 40]

For each number of watches N it prints: build time, articles matched per second (one core,
title + 1–2 KB of body each, best of three passes), matches found, and the peak memory of a fresh process that built
the index and matched. Queries are parsed with the project's aliases and context rules, as the
bot does. For N = 10,000 it also runs the naive approach — one compiled regular expression per
watch term, every watch tried on every article — on a sample of the articles, checks that it
finds the same matches there as the index built without context rules (the naive approach
knows none), and prints the speed-up.

The data is generated from a fixed seed. Watches mix single words, names, phrases and boolean
queries (OR, exclusions, title:, NEAR). Articles are 55% function words, 20% a head of common
news names and topics, 25% a tail of 60,000 synthetic place and person names. Watch words come
mostly from the tail (real monitoring lists are long tails of names), so that a watch fires on
about 0.1% of articles — a few alerts a day at several thousand articles a day; the printed
matches per article show the rate.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import read_alias_groups, read_context_rules  # noqa: E402
from bot.match import (  # noqa: E402
    Document,
    Lexicon,
    LiveIndex,
    MatchIndex,
    build_table,
    parse_query,
)
from bot.match.query import And, AnyOf, Near, Node, Not, Or, Query, Source  # noqa: E402
from bot.match.text import CLITICS, fold  # noqa: E402
from bot.models import Watch  # noqa: E402

COMMON = (
    "yang dan di ke dari ini itu dengan untuk pada dalam tidak akan juga sudah oleh karena "
    "bahwa ada para kata saat telah lebih bisa masih hingga namun tersebut menjadi secara "
    "setelah antara kedua hari tahun orang baru serta sebagai agar atau jika dapat harus"
).split()
TOPICS = (
    "banjir longsor gempa korupsi pemilu harga beras cabai minyak bensin subsidi pajak "
    "ekspor impor investasi saham rupiah inflasi kebakaran hutan kemarau tsunami vaksin "
    "rumah sakit sekolah guru mahasiswa demo buruh upah nelayan petani pupuk jalan tol "
    "bandara pelabuhan kereta cepat listrik tambang nikel batu bara sawit kopi teh "
    "narkoba penipuan pembunuhan pencurian sidang vonis jaksa hakim polisi tentara "
    "rudal nuklir perang gencatan senjata sanksi diplomasi kunjungan pertemuan "
    "pelantikan menteri gubernur bupati wali kota presiden partai koalisi kampanye"
).split()
NAMES = (
    "Jakarta Surabaya Bandung Medan Makassar Semarang Palembang Denpasar Yogyakarta Malang "
    "Bogor Bekasi Depok Tangerang Cianjur Garut Papua Aceh Bali Lombok Kalimantan Sulawesi "
    "Sumatera Jawa Maluku Rusia Ukraina Amerika Tiongkok Jepang Korea Utara Selatan Malaysia "
    "Singapura Australia Israel Palestina Gaza Iran Prabowo Jokowi Gibran Anies Ganjar "
    "Megawati Putin Zelensky Biden Trump Xi Kim Jong Un KPK DPR MK MA BI OJK TNI Polri KPU "
    "Bawaslu BMKG BNPB Pertamina PLN Garuda Telkom Mandiri BRI BNI"
).split()
HEAD_SHARE_OF_WATCH_WORDS = 0.005
PASSES = 3  # matching speed is the best of three passes over all articles, as timeit does
SYLLABLES = (
    "ka ra ma na sa ta ja ba da wa ha la pa ga ri ni ti si di mi ku tu su ro no to wo".split()
)


def synthetic_names(rng: random.Random, count: int) -> list[str]:
    """Place and person names as long tails of a monitoring list look: 2–4 syllables each."""
    names = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize())
    return sorted(names)


def make_watches(rng: random.Random, count: int, tail: list[str]) -> list[str]:
    head = NAMES + TOPICS

    def word() -> str:
        return rng.choice(head) if rng.random() < HEAD_SHARE_OF_WATCH_WORDS else rng.choice(tail)

    def term() -> str:
        if rng.random() < 0.6:
            return word()
        return '"' + " ".join(word() for _ in range(rng.randint(2, 3))) + '"'

    queries = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.5:
            queries.append(term())
        elif roll < 0.65:
            queries.append(f"{term()} {term()}")
        elif roll < 0.8:
            queries.append(f"{term()} ({term()} OR {term()}) -{term()}")
        elif roll < 0.9:
            queries.append(f"title:{term()} {term()}")
        else:
            queries.append(f"{word()} NEAR/5 {word()}")
    return queries


def make_articles(rng: random.Random, count: int, tail: list[str]) -> list[Document]:
    head = NAMES + TOPICS

    def sentence() -> str:
        words = []
        for _ in range(rng.randint(8, 18)):
            roll = rng.random()
            pool = COMMON if roll < 0.55 else head if roll < 0.75 else tail
            words.append(rng.choice(pool))
        return " ".join(words).capitalize() + "."

    articles = []
    for _ in range(count):
        title = " ".join(rng.choice(head + tail[:2000]) for _ in range(rng.randint(6, 11)))
        body = ""
        target = rng.randint(1000, 2000)
        while len(body) < target:
            body += sentence() + " "
        articles.append(Document(title, body.strip(), "Sumber Uji", ("news.example.id",)))
    return articles


ALIASES_FILE = ROOT / "config" / "aliases.toml"
ALIASES = build_table(read_alias_groups(ALIASES_FILE), read_context_rules(ALIASES_FILE))
PLAIN = build_table(read_alias_groups(ALIASES_FILE))  # without context rules, for the naive check


def dataset(watch_count: int, article_count: int) -> tuple[list[str], list[Document]]:
    """Watch queries as typed, and articles; the same for every run."""
    rng = random.Random(20230913)
    tail = synthetic_names(rng, 60_000)
    return make_watches(rng, watch_count, tail), make_articles(
        random.Random(7), article_count, tail
    )


def watches(raw: list[str], aliases: Lexicon = ALIASES) -> Iterator[tuple[Watch, Query]]:
    """Parsed one by one, as the service does, so no list of every parsed query is kept aside."""
    for number, text in enumerate(raw):
        query = parse_query(text, aliases)
        yield Watch(number, number % 5000, text, query.display), query


# The naive approach: a compiled regex per term, every watch evaluated on every article.


def term_pattern(tokens: tuple[str, ...]) -> str:
    parts = []
    for position, token in enumerate(tokens):
        forms = [re.escape(token)]
        if token.isascii() and token.isalpha() and len(token) <= 3 and not token.isupper():
            forms.append(re.escape(token.upper()))
        if position == len(tokens) - 1 and len(token) >= 4 and not token.isupper():
            forms += [re.escape(token + clitic) for clitic in CLITICS]
        parts.append("(?:" + "|".join(forms) + ")")
    return r"(?<!\w)" + r"\W+".join(parts) + r"(?!\w)"


class NaiveWatch:
    def __init__(self, query: Query) -> None:
        self.query = query
        self.patterns: dict[tuple[str, ...], re.Pattern[str]] = {
            term.tokens: re.compile(term_pattern(term.tokens)) for term in query.terms()
        }

    def matches(self, title: str, body: str) -> bool:
        return self._holds(self.query.root, title, body)

    def _found(self, node: AnyOf, title: str, body: str) -> bool:
        return any(
            self.patterns[t.tokens].search(title)
            or (not t.title_only and self.patterns[t.tokens].search(body))
            for t in node.terms
        )

    def _holds(self, node: Node, title: str, body: str) -> bool:
        if isinstance(node, AnyOf):
            return self._found(node, title, body)
        if isinstance(node, And):
            return all(self._holds(c, title, body) for c in node.children)
        if isinstance(node, Or):
            return any(self._holds(c, title, body) for c in node.children)
        if isinstance(node, Not):
            return not self._holds(node.child, title, body)
        if isinstance(node, Source):
            return True
        assert isinstance(node, Near)
        return self._near(node, title) or self._near(node, body)

    def _near(self, node: Near, text: str) -> bool:
        spans = {}
        for side in (node.left, node.right):
            found = []
            for term in side.terms:
                for m in self.patterns[term.tokens].finditer(text):
                    start = len(re.findall(r"\w+", text[: m.start()]))
                    found.append((start, start + len(term.tokens)))
            spans[id(side)] = found
        return any(
            max(rs - le, ls - re_, 0) <= node.distance
            for ls, le in spans[id(node.left)]
            for rs, re_ in spans[id(node.right)]
        )


async def worst_stall(work: Callable[[], object]) -> tuple[float, float]:
    """Run work in a worker thread, as the service does; return (seconds, worst loop stall)."""
    worst, done = 0.0, False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            started = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, time.perf_counter() - started - 0.005)

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await asyncio.to_thread(work)
    elapsed = time.perf_counter() - started
    done = True
    await task
    return elapsed, worst


def update_costs(raw: list[str]) -> dict[str, float]:
    """Full rebuild vs adding one watch to a live index, each from a worker thread."""
    live = LiveIndex(watches(raw))
    extra = next(watches(['"Kim Jong Un" (Putin OR Rusia) -"Korea Selatan"']))
    added = (Watch(len(raw) + 1, 1, extra[0].query, extra[0].display), extra[1])
    rebuild_s, rebuild_stall = asyncio.run(worst_stall(lambda: LiveIndex(watches(raw))))
    update_s, update_stall = asyncio.run(worst_stall(lambda: live.changed([added], [0])))
    return {
        "rebuild_s": rebuild_s,
        "rebuild_stall_ms": rebuild_stall * 1000,
        "update_ms": update_s * 1000,
        "update_stall_ms": update_stall * 1000,
    }


def rss_mb() -> float:
    """Resident memory now (Linux)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def measure(watch_count: int, article_count: int, naive_sample: int) -> dict[str, float]:
    """Run in a fresh process so that peak memory belongs to one index."""
    raw, articles = dataset(watch_count, article_count)
    gc.collect()
    before_mb = rss_mb()
    started = time.perf_counter()
    index = MatchIndex(watches(raw))
    build = time.perf_counter() - started
    gc.collect()
    index_mb = rss_mb() - before_mb
    elapsed = float("inf")
    for _ in range(PASSES):
        started = time.perf_counter()
        found = [sum(len(m.watches) for m in index.match(article)) for article in articles]
        elapsed = min(elapsed, time.perf_counter() - started)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "watches": watch_count,
        "queries": index.query_count,
        "build_s": build,
        "index_mb": index_mb,
        "articles_per_s": len(articles) / elapsed,
        "matches_per_article": sum(found) / len(articles),
    }
    if watch_count >= 100_000:
        del index
        result.update(update_costs(raw))
    result["peak_mb"] = peak_mb
    if naive_sample:
        # The naive approach knows no context rules: it is checked against an index without them.
        sample = articles[:naive_sample]
        plain = MatchIndex(watches(raw, PLAIN))
        found = [sum(len(m.watches) for m in plain.match(article)) for article in sample]
        naive = [NaiveWatch(query) for _, query in watches(raw, PLAIN)]
        started = time.perf_counter()
        naive_found = []
        for article in sample:
            title, body = fold(article.title), fold(article.body)
            naive_found.append(sum(1 for w in naive if w.matches(title, body)))
        naive_elapsed = time.perf_counter() - started
        result["naive_articles_per_s"] = len(sample) / naive_elapsed
        result["naive_agrees"] = float(naive_found == found)
        result["speedup"] = result["articles_per_s"] / result["naive_articles_per_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--naive-sample", type=int, default=40)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        sample = args.naive_sample if args.one == 10_000 else 0
        print(json.dumps(measure(args.one, args.articles, sample)))
        return
    print(f"{args.articles} articles (title + 1-2 KB body), one core")
    print(
        f"{'watches':>8} {'queries':>8} {'build s':>8} {'articles/s':>11} {'matches/art':>11}"
        f" {'index MB':>9} {'peak MB':>8}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        command = [sys.executable, __file__, "--one", str(size), "--articles", str(args.articles)]
        command += ["--naive-sample", str(args.naive_sample)]
        r = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        print(
            f"{r['watches']:>8} {r['queries']:>8} {r['build_s']:>8.2f} {r['articles_per_s']:>11,.0f}"
            f" {r['matches_per_article']:>11.1f} {r['index_mb']:>9.0f} {r['peak_mb']:>8.0f}"
        )
        if "rebuild_s" in r:
            print(
                f"{'':>8} from a worker thread: full rebuild {r['rebuild_s']:.1f} s, longest event-loop"
                f" stall {r['rebuild_stall_ms']:.0f} ms; adding a watch {r['update_ms']:.1f} ms,"
                f" longest stall {r['update_stall_ms']:.1f} ms"
            )
        if "speedup" in r:
            agree = "same matches" if r["naive_agrees"] else "DIFFERENT matches"
            print(
                f"{'':>8} naive, one regex per watch term, on {args.naive_sample} articles: "
                f"{r['naive_articles_per_s']:,.1f} articles/s ({agree}); index is {r['speedup']:,.0f}x faster"
            )


if __name__ == "__main__":
    main()
