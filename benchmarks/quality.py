"""Matching quality against human labels: per-query precision and recall on real articles.

    python benchmarks/quality.py [--corpus ../shared/corpus/news-dev.jsonl.gz] [--show QUERY]
                                 [--no-rules]

The articles are the news-dev corpus (3,462 Indonesian articles, IndoSum, CC BY-SA 4.0; see its
README); they are read from `../shared` and never copied into the project. The labels are ours,
in `benchmarks/data/quality_labels.jsonl`: for each query, every article that mentions any form
of the concept (found by a broad case-insensitive search, clitics included) with a judgement
made by reading the text around each mention: does the article mention what the watch means?
Articles not listed for a query do not mention it. How they were made is in the labels' README.

Each query is matched on title + body with the project's aliases and context rules, exactly as
a watch would be. It prints one line per query and a last line with the micro-averaged figures
(over every article x query pair). `--show QUERY` lists that query's disagreements with their
reasons. `--no-rules` matches with the aliases only, without context rules or spelling
variants (how matching worked before them). Without the corpus it says so and exits 0.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import read_alias_groups, read_context_rules  # noqa: E402
from bot.match import Document, MatchIndex, build_table, parse_query  # noqa: E402
from bot.models import Watch  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "news-dev.jsonl.gz"
LABELS = ROOT / "benchmarks" / "data" / "quality_labels.jsonl"


def load_labels(path: Path) -> tuple[list[str], dict[str, set[str]], dict[tuple[str, str], str]]:
    """Queries in file order, the relevant article ids of each, and every label's reason."""
    queries: dict[str, None] = {}
    relevant: dict[str, set[str]] = defaultdict(set)
    reasons = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        queries[label["query"]] = None
        reasons[label["query"], label["id"]] = label["reason"]
        if label["relevant"]:
            relevant[label["query"]].add(label["id"])
    return list(queries), relevant, reasons


def fired(
    queries: list[str], articles: list[dict[str, str]], rules: bool = True
) -> dict[str, set[str]]:
    """The articles each query's watch fires on."""
    aliases_file = ROOT / "config" / "aliases.toml"
    context = read_context_rules(aliases_file) if rules else None
    lexicon = build_table(read_alias_groups(aliases_file), context)
    entries = []
    for number, text in enumerate(queries):
        query = parse_query(text, lexicon)
        entries.append((Watch(number, number, text, query.display), query))
    index = MatchIndex(entries)
    result: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        for found in index.match(Document(article["title"], article["body"])):
            for watch in found.watches:
                result[queries[watch.id]].add(article["id"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--show", action="append", default=[], help="list this query's errors")
    parser.add_argument("--no-rules", action="store_true", help="aliases only, no context rules")
    args = parser.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found at {args.corpus}; nothing to measure")
        return
    with gzip.open(args.corpus, "rt", encoding="utf-8") as lines:
        articles = [json.loads(line) for line in lines]
    titles = {article["id"]: article["title"] for article in articles}
    queries, relevant, reasons = load_labels(LABELS)
    matched = fired(queries, articles, rules=not args.no_rules)
    total = {"tp": 0, "fp": 0, "fn": 0}
    how = "aliases only" if args.no_rules else "aliases and context rules"
    print(f"{len(articles)} articles, {len(queries)} queries, title + body, {how}")
    print(f"{'query':<24} {'relevant':>8} {'fired':>6} {'precision':>9} {'recall':>7}")
    for query in queries:
        hits, wanted = matched[query], relevant[query]
        tp, fp, fn = len(hits & wanted), len(hits - wanted), len(wanted - hits)
        for name, value in (("tp", tp), ("fp", fp), ("fn", fn)):
            total[name] += value
        print(
            f"{query:<24} {len(wanted):>8} {len(hits):>6} {_ratio(tp, tp + fp):>9.3f}"
            f" {_ratio(tp, tp + fn):>7.3f}"
        )
        if query in args.show:
            for kind, ids in (("false alert", hits - wanted), ("missed", wanted - hits)):
                for article_id in sorted(ids):
                    reason = reasons.get((query, article_id), "not a candidate")
                    print(f"    {kind}: {article_id} ({titles[article_id][:60]}) — {reason}")
    tp, fp, fn = total["tp"], total["fp"], total["fn"]
    print(
        f"micro-average over {len(queries)} queries: precision {_ratio(tp, tp + fp):.3f}"
        f" recall {_ratio(tp, tp + fn):.3f} (true {tp}, false alerts {fp}, missed {fn})"
    )


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


if __name__ == "__main__":
    main()
