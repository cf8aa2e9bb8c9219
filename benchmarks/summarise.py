"""Benchmark article extraction + cleaning + summary, the work behind every alert's summary.

    python benchmarks/summarise.py [--pages 1000]

The pages are the article fixtures of ../shared/fixtures/articles (three Media Indonesia pages
of 75–90 KB) when that folder exists, plus a generated Indonesian news page; they are repeated
to `--pages`. Each page goes through `extract_article` (trafilatura), `clean_text` and
`summarize` with matched terms and the headline, on one core. It prints pages per second and
peak memory (the target is at least 50 pages/s), then CPU time per page for each stage, next to
the naive summary (the first three sentences) measured in the same run. CPU time
(`time.process_time`) is printed because wall time swings when other work shares the machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.models import FetchResult  # noqa: E402
from bot.parse import extract_article  # noqa: E402
from bot.summary import clean_text, mention_patterns, sentences, summarize  # noqa: E402
from tests.feeds import SEED_STORY, article_page  # noqa: E402

FIXTURES = ROOT.parent / "shared" / "fixtures" / "articles"
T = TypeVar("T")
HEADLINE = "Harga saham dan izin tambang: KPK, IHSG dan Korea Utara"


def pages() -> list[FetchResult]:
    found = sorted(FIXTURES.glob("*.html")) if FIXTURES.exists() else []
    bodies = [path.read_bytes() for path in found] + [article_page(SEED_STORY["title"])]
    return [
        FetchResult(f"https://news.example.id/{n}", body, "text/html", None, None)
        for n, body in enumerate(bodies)
    ]


def cpu_ms(work: Callable[[T], object], inputs: Sequence[T], repeat: int) -> float:
    """CPU milliseconds `work` takes on one input, averaged over every input `repeat` times."""
    started = time.process_time()
    for _ in range(repeat):
        for item in inputs:
            work(item)
    return (time.process_time() - started) / repeat / len(inputs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    sources = pages()
    mentions = mention_patterns(["Korea Utara", "KPK", "IHSG", "IGI"])
    work = [sources[n % len(sources)] for n in range(args.pages)]
    started = time.perf_counter()
    lengths = [
        len(summarize(clean_text(extract_article(page).text), mentions, HEADLINE)) for page in work
    ]
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kinds = (
        f"{len(sources) - 1} fixture pages + 1 generated"
        if len(sources) > 1
        else "1 generated page"
    )
    print(
        f"{args.pages} pages ({kinds}, average {sum(len(p.content or b'') for p in sources) / len(sources) / 1024:.0f} KB), one core"
    )
    print(
        f"extract + clean + summarise: {args.pages / elapsed:,.0f} pages/s "
        f"({elapsed / args.pages * 1000:.1f} ms a page), summaries of {min(lengths)}–{max(lengths)} "
        f"characters, peak memory {peak:.0f} MB"
    )
    repeat = max(1, args.pages // len(sources))
    texts = [extract_article(page).text for page in sources]
    cleaned = [clean_text(text) for text in texts]
    extract = cpu_ms(extract_article, sources, repeat)
    clean = cpu_ms(clean_text, texts, repeat)
    chosen = cpu_ms(lambda text: summarize(text, mentions, HEADLINE), cleaned, repeat)
    naive = cpu_ms(lambda text: " ".join(sentences(text)[:3]), cleaned, repeat)
    print(
        f"CPU per page: extract {extract:.2f} ms, clean {clean:.2f} ms, summarise {chosen:.2f} ms "
        f"(first three sentences: {naive:.2f} ms)"
    )


if __name__ == "__main__":
    main()
