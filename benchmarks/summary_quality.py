"""How close Pantau's summaries come to human ones: ROUGE against IndoSum's gold summaries.

    python benchmarks/summary_quality.py [--folds dev.04,dev.05]

Reads ../shared/corpus (news-dev.jsonl.gz and news-dev-summaries.jsonl.gz, IndoSum, CC BY-SA
4.0; see its README) and skips when it is absent. For every article with a human summary in the
chosen folds it scores, in one run and on the same articles: Pantau's summary (`clean_text`
then `summarize` with the headline), LEAD-3 and LEAD-1 of the body as published (the classic
baselines: first sentences, dateline included) and LEAD-3 of the cleaned text (Pantau's
cleaning, no choice). ROUGE-1/2/L F1 on lower-cased word tokens, no stemming, no stop words
removed; ROUGE-L over the whole summary as one sequence. It also prints the share of summaries
that open with the article's dateline (found without Pantau's rule, see `opens_with_dateline`)
and their average length in characters and sentences. `benchmarks/fit_summary.py` fits the
model on dev.02–dev.03, so the default report is on the held-out dev.04–dev.05, followed by
the fitted folds and all folds.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.summary import clean_text, sentences, summarize  # noqa: E402
from bot.summary.sentences import split_paragraph  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
FIT_FOLDS = ("dev.02", "dev.03")
HELD_OUT_FOLDS = ("dev.04", "dev.05")
_TOKEN = re.compile(r"\w+")
_OPENING = re.compile(r"(?P<head>(?:[^\n.!?]|\.(?=\S)){2,80}?)\s*(?:--?|–|—)(?=\s|$)")


@dataclass(frozen=True)
class Example:
    """An article and the summary a person wrote for it."""

    id: str
    fold: str
    title: str
    body: str
    gold: str


def load(folds: Iterable[str] | None = None) -> list[Example]:
    """The articles with a human summary in these folds (all when None); [] without corpus."""
    articles_path = CORPUS / "news-dev.jsonl.gz"
    summaries_path = CORPUS / "news-dev-summaries.jsonl.gz"
    if not (articles_path.exists() and summaries_path.exists()):
        return []
    wanted = set(folds) if folds is not None else None
    with gzip.open(articles_path, "rt", encoding="utf-8") as handle:
        articles = {record["id"]: record for record in map(json.loads, handle)}
    examples = []
    with gzip.open(summaries_path, "rt", encoding="utf-8") as handle:
        for record in map(json.loads, handle):
            if wanted is not None and record["fold"] not in wanted:
                continue
            article = articles[record["id"]]
            examples.append(
                Example(
                    record["id"],
                    record["fold"],
                    article["title"],
                    article["body"],
                    record["summary"],
                )
            )
    return examples


def tokens(text: str) -> list[str]:
    """ROUGE's tokens: lower-cased runs of letters and digits."""
    return _TOKEN.findall(text.lower())


def rouge(candidate: str, reference: str) -> tuple[float, float, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 of a candidate against one reference."""
    ours, theirs = tokens(candidate), tokens(reference)
    return (
        _f1(_overlap(ours, theirs, 1), len(ours), len(theirs)),
        _f1(_overlap(ours, theirs, 2), len(ours) - 1, len(theirs) - 1),
        _f1(_lcs(ours, theirs), len(ours), len(theirs)),
    )


def pantau(example: Example) -> str:
    """Pantau's summary of the article, as an alert without matched terms gets it."""
    return summarize(clean_text(example.body, example.title), headline=example.title)


def lead(count: int) -> Callable[[Example], str]:
    """The first `count` sentences of the body as published (paragraphs split, nothing removed)."""

    def first(example: Example) -> str:
        found = [s for paragraph in example.body.split("\n") for s in split_paragraph(paragraph)]
        return " ".join(found[:count])

    return first


def cleaned_lead(count: int) -> Callable[[Example], str]:
    """The first `count` sentences of the text after Pantau's cleaning."""

    def first(example: Example) -> str:
        return " ".join(sentences(clean_text(example.body, example.title))[:count])

    return first


SYSTEMS: dict[str, Callable[[Example], str]] = {
    "Pantau": pantau,
    "LEAD-3": lead(3),
    "LEAD-1": lead(1),
    "LEAD-3 cleaned": cleaned_lead(3),
}


def report(examples: Sequence[Example], label: str) -> None:
    """Print one table: ROUGE F1, dateline share and length of each system on these articles."""
    print(f"{label}: {len(examples)} articles")
    print(f"  {'system':<15} {'R-1':>5} {'R-2':>5} {'R-L':>5}  dateline  chars  sentences")
    for name, system in SYSTEMS.items():
        outputs = [system(example) for example in examples]
        scores = [
            rouge(output, example.gold) for output, example in zip(outputs, examples, strict=True)
        ]
        means = [100 * sum(s[k] for s in scores) / len(scores) for k in range(3)]
        datelines = sum(map(opens_with_dateline, outputs, examples)) / len(outputs)
        chars = sum(map(len, outputs)) / len(outputs)
        count = sum(len(split_paragraph(output)) for output in outputs) / len(outputs)
        print(
            f"  {name:<15} {means[0]:5.1f} {means[1]:5.1f} {means[2]:5.1f}  "
            f"{100 * datelines:6.1f}%  {chars:5.0f}  {count:9.2f}"
        )
    gold_chars = sum(len(e.gold) for e in examples) / len(examples)
    gold_count = sum(len(split_paragraph(e.gold)) for e in examples) / len(examples)
    print(f"  {'human':<15} {'':>5} {'':>5} {'':>5}  {'':>7}  {gold_chars:5.0f}  {gold_count:9.2f}")


def opens_with_dateline(summary: str, example: Example) -> bool:
    """Does the summary open with the article's dateline?

    The dateline is taken from the body as published, independently of Pantau's cleaning rule:
    the words before the first paragraph's first dash when there are at most eight of them and
    none starts in lower case ("Jakarta, CNN Indonesia", "KOTA, JUARA.net"). Sentences that open
    with capitalised words and a dash ("GO - JEK …") count too, so the share errs high.
    """
    found = _OPENING.match(example.body)
    if found is None:
        return False
    words = found.group("head").split()
    if len(words) > 8 or any(word[:1].islower() for word in words):
        return False
    return summary.startswith(found.group(0).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", help="comma-separated folds; default: held out, fitted, all")
    args = parser.parse_args()
    if not load(HELD_OUT_FOLDS[:1]):
        print(f"skipped: the corpus is not in {CORPUS}")
        return
    if args.folds:
        folds = args.folds.split(",")
        report(load(folds), ", ".join(folds))
        return
    report(load(HELD_OUT_FOLDS), f"held out ({', '.join(HELD_OUT_FOLDS)}), not used for fitting")
    report(load(FIT_FOLDS), f"fitted on ({', '.join(FIT_FOLDS)})")
    report(load(), "all folds")


def _overlap(ours: Sequence[str], theirs: Sequence[str], n: int) -> int:
    mine = Counter(zip(*(ours[i:] for i in range(n)), strict=False))
    other = Counter(zip(*(theirs[i:] for i in range(n)), strict=False))
    return sum((mine & other).values())


def _f1(hits: int, ours: int, theirs: int) -> float:
    if hits <= 0 or ours <= 0 or theirs <= 0:
        return 0.0
    precision, recall = hits / ours, hits / theirs
    return 2 * precision * recall / (precision + recall)


def _lcs(ours: Sequence[str], theirs: Sequence[str]) -> int:
    previous = [0] * (len(theirs) + 1)
    for word in ours:
        current = [0]
        for j, other in enumerate(theirs):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


if __name__ == "__main__":
    main()
