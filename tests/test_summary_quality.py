"""The summary benchmark's own parts: ROUGE as defined, a clean skip without the corpus."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def benchmark(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_rouge_scores_lower_cased_words_without_stemming():
    quality = benchmark("summary_quality")
    assert quality.rouge("Presiden tiba.", "presiden TIBA") == (1.0, 1.0, 1.0)
    assert quality.rouge("Presiden tiba.", "Menteri pergi.") == (0.0, 0.0, 0.0)
    # 4 words against 6: 3 shared, 1 of 3 bigrams against 5, the common subsequence "a b c"
    one, two, longest = quality.rouge("a b c d", "a b x c y e")
    assert one == pytest.approx(2 * 3 / (4 + 6))
    assert two == pytest.approx(2 * (1 / 3) * (1 / 5) / (1 / 3 + 1 / 5))
    assert longest == pytest.approx(2 * 3 / (4 + 6))
    assert quality.rouge("menteri", "menterinya")[0] == 0.0, "no stemming"


def test_the_dateline_share_looks_at_the_body_as_published():
    quality = benchmark("summary_quality")
    example = quality.Example("x", "dev.04", "Judul", "Kota Baru, Kabar Kita - Isi berita.", "Isi.")
    assert quality.opens_with_dateline("Kota Baru, Kabar Kita - Isi berita.", example)
    assert not quality.opens_with_dateline("Isi berita.", example)
    plain = quality.Example("y", "dev.04", "Judul", "Isi berita tanpa tanda - apa pun.", "Isi.")
    assert not quality.opens_with_dateline(plain.body, plain)


def test_the_benchmarks_skip_cleanly_without_the_corpus(tmp_path, monkeypatch, capsys):
    quality = benchmark("summary_quality")
    monkeypatch.setattr(quality, "CORPUS", tmp_path)
    monkeypatch.setattr(sys, "argv", ["summary_quality.py"])
    quality.main()
    assert "skipped" in capsys.readouterr().out
    fit = benchmark("fit_summary")
    monkeypatch.setattr(quality, "CORPUS", tmp_path)
    monkeypatch.setattr(sys, "argv", ["fit_summary.py"])
    fit.main()
    assert "skipped" in capsys.readouterr().out
