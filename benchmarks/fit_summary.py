"""Fit the summary model of bot/summary/choose.py on IndoSum's human summaries.

    python benchmarks/fit_summary.py [--folds dev.02,dev.03] [--write]

Reads ../shared/corpus (see benchmarks/summary_quality.py) and skips when it is absent. For every
article of the fitting folds (default dev.02–dev.03; dev.04–dev.05 stay held out for the
report) it lists every summary the rules allow (`Choices.allowed`) and scores each against the
human summary with ROUGE-1 F1. The model is log-linear over those sets: P(set) ∝ exp(score),
fitted by cross-entropy to the soft target ∝ exp(ROUGE-1 / TEMPERATURE), which prefers the sets
closest to the human summary while learning from near misses too. The objective is convex;
Adam on standardised features with a little L2, standard library only (the gradient of the
sentence weights goes through each sentence's share of the probability, so the sets are never
expanded into feature vectors). `--write` stores the weights in bot/summary/weights.json, which
ships inside the package.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from summary_quality import FIT_FOLDS, ROOT, Example, load, tokens

from bot.summary import clean_text
from bot.summary.choose import (
    MAX_SENTENCES,
    SENTENCE_FEATURES,
    SUMMARY_FEATURES,
    Choices,
    Model,
    candidates,
)
from bot.summary.sentences import paragraphs

WEIGHTS = ROOT / "bot" / "summary" / "weights.json"
TEMPERATURE = 0.02
RIDGE = 1e-3
EPOCHS = 300
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class Article:
    """One fitting article: its candidates' features, the allowed sets, their ROUGE-1 targets."""

    sentences: list[list[float]]
    subsets: list[tuple[int, ...]]
    summaries: list[list[float]]
    target: list[float]
    rouge1: list[float]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", default=",".join(FIT_FOLDS))
    parser.add_argument("--write", action="store_true", help="store the fitted weights")
    args = parser.parse_args()
    folds = args.folds.split(",")
    examples = load(folds)
    if not examples:
        print("skipped: the corpus is not in ../shared/corpus")
        return
    articles = [a for a in map(prepared, examples) if a.subsets]
    model = fit(articles)
    chosen = [a.rouge1[a.subsets.index(best_subset(a, model))] for a in articles]
    print(f"fitted on {', '.join(folds)}: {len(articles)} articles")
    for name, weight in [
        *zip(SENTENCE_FEATURES, model.sentence, strict=True),
        *zip(SUMMARY_FEATURES, model.summary, strict=True),
    ]:
        print(f"  {name:<26} {weight:+.3f}")
    print(f"ROUGE-1 F1 on the fitted folds: {100 * sum(chosen) / len(chosen):.1f}")
    if args.write:
        record = {
            "fitted_on": f"IndoSum folds {', '.join(folds)} ({len(articles)} articles)",
            "fitted_by": "benchmarks/fit_summary.py",
            "sentence": {
                n: round(w, 4) for n, w in zip(SENTENCE_FEATURES, model.sentence, strict=True)
            },
            "summary": {
                n: round(w, 4) for n, w in zip(SUMMARY_FEATURES, model.summary, strict=True)
            },
        }
        WEIGHTS.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS.relative_to(ROOT)}")


def prepared(example: Example) -> Article:
    """An article's candidates, allowed summaries and how close each comes to the human one."""
    choices = Choices.of(
        candidates(paragraphs(clean_text(example.body, example.title)), example.title)
    )
    found = choices.found
    subsets = choices.allowed() if found else []
    gold = Counter(tokens(example.gold))
    words = [Counter(tokens(candidate.text)) for candidate in found]
    rouge1 = [_rouge1(sum((words[i] for i in subset), Counter()), gold) for subset in subsets]
    top = max(rouge1, default=0.0)
    weights = [math.exp((r - top) / TEMPERATURE) for r in rouge1]
    total = sum(weights)
    return Article(
        [list(candidate.features) for candidate in found],
        subsets,
        [list(choices.features(subset)) for subset in subsets],
        [w / total for w in weights],
        rouge1,
    )


def fit(articles: Sequence[Article]) -> Model:
    """The log-linear model (see the module docstring), in the units of the raw features."""
    sentence_mean, sentence_spread = _moments([row for a in articles for row in a.sentences])
    summary_mean, summary_spread = _moments([row for a in articles for row in a.summaries])
    scaled = [
        (
            [_standard(row, sentence_mean, sentence_spread) for row in a.sentences],
            [_standard(row, summary_mean, summary_spread) for row in a.summaries],
            a,
        )
        for a in articles
    ]
    width_sentence, width_summary = len(SENTENCE_FEATURES), len(SUMMARY_FEATURES)
    weights = [0.0] * (width_sentence + width_summary)
    first = [0.0] * len(weights)
    second = [0.0] * len(weights)
    for step in range(1, EPOCHS + 1):
        gradient = [RIDGE * w for w in weights]
        for sentences, summaries, article in scaled:
            on_sentence = weights[:width_sentence]
            on_summary = weights[width_sentence:]
            own = [_dot(on_sentence, row) for row in sentences]
            scores = [
                sum(own[i] for i in subset) + _dot(on_summary, summaries[k])
                for k, subset in enumerate(article.subsets)
            ]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            norm = sum(exps)
            share = [0.0] * len(sentences)
            for k, subset in enumerate(article.subsets):
                difference = (exps[k] / norm - article.target[k]) / len(articles)
                if difference:
                    for i in subset:
                        share[i] += difference
                    for j, value in enumerate(summaries[k]):
                        gradient[width_sentence + j] += difference * value
            for i, row in enumerate(sentences):
                if share[i]:
                    for j, value in enumerate(row):
                        gradient[j] += share[i] * value
        for j, g in enumerate(gradient):
            first[j] = 0.9 * first[j] + 0.1 * g
            second[j] = 0.999 * second[j] + 0.001 * g * g
            corrected = first[j] / (1 - 0.9**step)
            weights[j] -= (
                LEARNING_RATE * corrected / (math.sqrt(second[j] / (1 - 0.999**step)) + 1e-8)
            )
    return _raw_units(weights, sentence_mean, sentence_spread, summary_spread)


def best_subset(article: Article, model: Model) -> tuple[int, ...]:
    """The set the model would choose among this article's allowed sets."""
    own = [_dot(model.sentence, row) for row in article.sentences]
    scores = [
        sum(own[i] for i in subset) + _dot(model.summary, article.summaries[k])
        for k, subset in enumerate(article.subsets)
    ]
    return article.subsets[max(range(len(scores)), key=scores.__getitem__)]


def _raw_units(
    weights: Sequence[float],
    sentence_mean: Sequence[float],
    sentence_spread: Sequence[float],
    summary_spread: Sequence[float],
) -> Model:
    """Weights for unscaled features giving the same choices as the fitted, scaled ones.

    Centring a sentence feature shifts a set's score by its size times a constant; the one- and
    two-sentence indicators take that shift relative to a full set (a constant for every set
    changes no choice).
    """
    width = len(SENTENCE_FEATURES)
    sentence = [w / s for w, s in zip(weights[:width], sentence_spread, strict=True)]
    shift = _dot(sentence, sentence_mean)
    summary = [w / s for w, s in zip(weights[width:], summary_spread, strict=True)]
    summary[SUMMARY_FEATURES.index("one_sentence")] += (MAX_SENTENCES - 1) * shift
    summary[SUMMARY_FEATURES.index("two_sentences")] += (MAX_SENTENCES - 2) * shift
    return Model(tuple(sentence), tuple(summary))


def _moments(rows: Sequence[Sequence[float]]) -> tuple[list[float], list[float]]:
    width = len(rows[0])
    means = [sum(row[k] for row in rows) / len(rows) for k in range(width)]
    spreads = [
        math.sqrt(sum((row[k] - means[k]) ** 2 for row in rows) / len(rows)) or 1.0
        for k in range(width)
    ]
    return means, spreads


def _standard(
    row: Sequence[float], means: Sequence[float], spreads: Sequence[float]
) -> list[float]:
    return [(v - m) / s for v, m, s in zip(row, means, spreads, strict=True)]


def _dot(weights: Sequence[float], values: Sequence[float]) -> float:
    return sum(w * v for w, v in zip(weights, values, strict=True))


def _rouge1(ours: Counter[str], gold: Counter[str]) -> float:
    hits = sum((ours & gold).values())
    return 2 * hits / (sum(ours.values()) + sum(gold.values())) if hits else 0.0


if __name__ == "__main__":
    main()
