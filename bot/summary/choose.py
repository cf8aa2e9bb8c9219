"""Choosing a summary's sentences: every small set of early sentences scored, the best one kept.

Rules:
- Candidates are the article's first `WINDOW` sentences; for an alert, also up to
  `EXTRA_NAMING` later sentences that name a matched term.
- Each candidate has the features of `SENTENCE_FEATURES`: where it stands (its position among
  the first eight, how far into the article, its paragraph), its length, how much of the
  headline it names, how often the article repeats its words, how much it repeats the lead, how
  many names, numbers and dates it carries, and signs of a sentence that reads badly alone (a
  quote, an attribution such as "ujarnya", an opening connective or pronoun, a question, no
  closing stop, a link or a photo credit).
- A summary is 1 to `MAX_SENTENCES` candidates within `SUMMARY_BUDGET` characters (a single
  sentence may be longer; it is cut at a word within the budget). Its score is the sum of its
  sentences' feature values and its own `SUMMARY_FEATURES` (how many sentences, how long, how
  much one repeats another, how many follow each other), weighted by `weights.json` — a
  log-linear model fitted offline by `benchmarks/fit_summary.py` to prefer the sets closest to
  human summaries.
- No summary holds two sentences of which one repeats most (`REPEAT_OVERLAP`) of the other's
  content words, as a teaser or caption repeating the lead does.
- The best-scoring summary wins and is shown in article order. It never opens with a sentence
  that leans on the one before ("Namun, …", "Mereka …", "Hal itu …") unless that is the
  article's first sentence or every candidate does.
- Alerts stay query-focused: when the text names a matched term, only summaries with a sentence
  naming one compete.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import combinations

from bot.summary.sentences import paragraphs

SUMMARY_BUDGET = 600
MAX_SENTENCES = 3
WINDOW = 8
EXTRA_NAMING = 3
REPEAT_OVERLAP = 0.7
SENTENCE_FEATURES = (
    *(f"position_{n}" for n in range(1, WINDOW + 1)),
    "relative_position",
    "opens_paragraph",
    "log_paragraph",
    "log_words",
    "short",
    "long",
    "headline_overlap",
    "centrality",
    "repeats_lead",
    "names",
    "numbers",
    "dated",
    "quoted",
    "attribution",
    "connective",
    "pronoun",
    "question",
    "unfinished",
    "junk",
)
SUMMARY_FEATURES = (
    "one_sentence",
    "two_sentences",
    "hundreds_of_chars",
    "hundreds_of_chars_squared",
    "repetition",
    "adjacent_pairs",
)

_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    "yang dan di ke dari untuk dengan pada dalam ini itu adalah akan tidak juga atau oleh "
    "sebagai karena telah sudah masih bisa dapat ada para saat secara lebih bagi hingga agar "
    "serta namun tersebut mereka ia dia kami kita saya anda kamu nya pun lah kah se per tak "
    "bahwa jika kalau maka lalu kemudian setelah sebelum sejak antara atas bawah tentang "
    "seperti hanya saja sangat paling lagi sedang baru satu dua tiga yakni yaitu the of and".split()
)
_QUOTES = "\"“”‘’'"
_SPEECH = frozenset(
    "kata ujar ucap ungkap jelas tutur tegas imbuh tambah terang papar tandas sebut".split()
)
_CONNECTIVE = re.compile(
    r"^(?:namun|sementara|selain|meski|meskipun|walaupun|sebelumnya|adapun|kemudian|lalu|"
    r"bahkan|karena|tapi|tetapi|akan tetapi|oleh karena|dengan demikian|untuk itu|"
    r"selanjutnya|di sisi lain|sedangkan|padahal|apalagi|maka|jadi|dan)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"^(?:ia|dia|mereka|beliau|kami|saya|kita|hal ini|hal itu|hal tersebut|itu|ini)\b",
    re.IGNORECASE,
)
_LEANS = re.compile(
    r"^(?:namun|tapi|tetapi|akan tetapi|sementara itu|selain itu|meski(?:pun)? begitu|kemudian|"
    r"lalu|bahkan|sebelumnya|selanjutnya|oleh karena itu|karena itu|untuk itu|dengan demikian|"
    r"padahal|sedangkan|apalagi|ia|dia|mereka|beliau|hal ini|hal itu|hal tersebut|itu|ini|"
    r"ketika itu|saat itu|kala itu|kini|di sana|di situ)\b",
    re.IGNORECASE,
)
_DAYS = frozenset("senin selasa rabu kamis jumat sabtu minggu".split())
_DATE_IN_BRACKETS = re.compile(r"\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)")
_JUNK_WORDS = frozenset("gambas simak klik".split())
_JUNK_TEXT = ("http", "www.", "@", "(foto", "baca juga", "lihat juga")
_LABEL = re.compile(r"\b(?:sumber|foto)\s*:")
_CLOSED = re.compile(r"[.!?…][\"'”’)]*$")


@dataclass(frozen=True)
class Candidate:
    """A sentence that may join the summary, with what the model looks at."""

    index: int
    text: str
    features: tuple[float, ...]
    words: frozenset[str]
    leans: bool
    names_term: bool


@dataclass(frozen=True)
class Model:
    """The fitted weights, in `SENTENCE_FEATURES` and `SUMMARY_FEATURES` order."""

    sentence: tuple[float, ...]
    summary: tuple[float, ...]


def summarize(text: str, mentions: Sequence[re.Pattern[str]] = (), headline: str = "") -> str:
    """The summary of cleaned text (see the module rules); `headline` sharpens the choice."""
    choices = Choices.of(candidates(paragraphs(text), headline, mentions))
    if not choices.found:
        return ""
    summary = " ".join(choices.found[i].text for i in choices.best(load_model()))
    if len(summary) <= SUMMARY_BUDGET:
        return summary
    return summary[: SUMMARY_BUDGET - 1].rsplit(" ", 1)[0] + "…"


def candidates(
    by_paragraph: Sequence[Sequence[str]],
    headline: str = "",
    mentions: Sequence[re.Pattern[str]] = (),
) -> list[Candidate]:
    """The sentences that may join the summary, with their features, in article order."""
    flat = [
        (sentence, paragraph, position == 0)
        for paragraph, sentences in enumerate(by_paragraph)
        for position, sentence in enumerate(sentences)
    ]
    naming = _naming(flat, mentions)
    later = sorted(index for index in naming if index >= WINDOW)
    keep = [*range(min(WINDOW, len(flat))), *later]
    bags = {index: _content_words(flat[index][0]) for index in keep}
    counts = Counter(_WORD.findall(" ".join(sentence for sentence, _, _ in flat).lower()))
    centrality = {
        index: sum(math.log1p(counts[word] - 1) for word in bags[index]) / len(bags[index])
        for index in keep
        if bags[index]
    }
    top = max(centrality.values(), default=0.0) or 1.0
    title = _content_words(headline)
    found = []
    for index in keep:
        sentence, paragraph, opens = flat[index]
        bag = bags[index]
        features = _features(sentence, index, len(flat), paragraph, opens)
        features["headline_overlap"] = len(bag & title) / len(title) if title else 0.0
        features["centrality"] = centrality.get(index, 0.0) / top
        features["repeats_lead"] = len(bag & bags[0]) / len(bag) if bag and index else 0.0
        found.append(
            Candidate(
                index,
                sentence,
                tuple(features[name] for name in SENTENCE_FEATURES),
                bag,
                _LEANS.match(sentence) is not None,
                index in naming,
            )
        )
    return found


@dataclass(frozen=True)
class Choices:
    """An article's candidates and what choosing among them needs, computed once."""

    found: tuple[Candidate, ...]
    lengths: tuple[int, ...]
    overlaps: tuple[tuple[float, ...], ...]

    @classmethod
    def of(cls, found: Sequence[Candidate]) -> Choices:
        """The choices among these candidates."""
        overlaps = tuple(tuple(_overlap(one, other) for other in found) for one in found)
        return cls(tuple(found), tuple(len(c.text) for c in found), overlaps)

    def allowed(self) -> list[tuple[int, ...]]:
        """Every summary the rules allow, as positions in `found` (see the module rules)."""
        found, lengths = self.found, self.lengths
        weak = [c.leans and c.index != 0 for c in found]
        if all(weak):
            weak = [False] * len(found)
        naming = {i for i, c in enumerate(found) if c.names_term}
        repeats = {
            (a, b)
            for a, b in combinations(range(len(found)), 2)
            if self.overlaps[a][b] > REPEAT_OVERLAP
        }
        subsets = []
        for size in range(1, min(MAX_SENTENCES, len(found)) + 1):
            for subset in combinations(range(len(found)), size):
                if weak[subset[0]] or (naming and naming.isdisjoint(subset)):
                    continue
                if size > 1 and sum(lengths[i] for i in subset) + size - 1 > SUMMARY_BUDGET:
                    continue
                if repeats and any(pair in repeats for pair in combinations(subset, 2)):
                    continue
                subsets.append(subset)
        return subsets or [(min(naming, default=0),)]

    def features(self, subset: Sequence[int]) -> tuple[float, float, float, float, float, float]:
        """The features of a set of sentences as a whole, in `SUMMARY_FEATURES` order."""
        size = len(subset)
        chars = size - 1
        repetition = 0.0
        adjacent = 0
        for position, one in enumerate(subset):
            chars += self.lengths[one]
            for other in subset[position + 1 :]:
                repetition = max(repetition, self.overlaps[one][other])
            if position and self.found[one].index == self.found[subset[position - 1]].index + 1:
                adjacent += 1
        hundreds = chars / 100
        return (
            float(size == 1),
            float(size == 2),
            hundreds,
            hundreds * hundreds,
            repetition,
            float(adjacent),
        )

    def best(self, model: Model) -> tuple[int, ...]:
        """The allowed summary the model scores highest, as positions in `found`."""
        own = [_dot(model.sentence, candidate.features) for candidate in self.found]
        one, two, hundreds, squared, repetition, adjacent = model.summary

        def score(subset: tuple[int, ...]) -> float:
            f = self.features(subset)
            total = one * f[0] + two * f[1] + hundreds * f[2] + squared * f[3]
            return total + repetition * f[4] + adjacent * f[5] + sum(own[i] for i in subset)

        return max(self.allowed(), key=score)


@cache
def load_model() -> Model:
    """The weights shipped with the package (see `benchmarks/fit_summary.py`)."""
    text = resources.files("bot.summary").joinpath("weights.json").read_text("utf-8")
    data = json.loads(text)
    sentence, summary = data["sentence"], data["summary"]
    if list(sentence) != list(SENTENCE_FEATURES) or list(summary) != list(SUMMARY_FEATURES):
        raise ValueError("weights.json does not match the summary features; refit it")
    return Model(
        tuple(float(sentence[name]) for name in SENTENCE_FEATURES),
        tuple(float(summary[name]) for name in SUMMARY_FEATURES),
    )


def _features(
    sentence: str, index: int, total: int, paragraph: int, opens: bool
) -> dict[str, float]:
    """The features that need only the sentence and where it stands."""
    tokens = _WORD.findall(sentence)
    count = len(tokens) or 1
    lower = sentence.lower()
    words = set(_WORD.findall(lower))
    positions = {f"position_{n}": float(index == n - 1) for n in range(1, WINDOW + 1)}
    return {
        **positions,
        "relative_position": index / total,
        "opens_paragraph": float(opens),
        "log_paragraph": math.log1p(paragraph),
        "log_words": math.log(count),
        "short": float(count < 8),
        "long": float(count > 40),
        "names": sum(token[0].isupper() for token in tokens[1:]) / count,
        "numbers": sum(not token.isalpha() for token in tokens) / count,
        "dated": float(bool(words & _DAYS) or _DATE_IN_BRACKETS.search(sentence) is not None),
        "quoted": float(sentence[:1] in _QUOTES or sum(sentence.count(q) for q in _QUOTES) >= 2),
        "attribution": float(any(w.endswith("nya") and w[:-3] in _SPEECH for w in words)),
        "connective": float(_CONNECTIVE.match(sentence) is not None),
        "pronoun": float(_PRONOUN.match(sentence) is not None),
        "question": float(sentence.rstrip(_QUOTES + ")").endswith("?")),
        "unfinished": float(_CLOSED.search(sentence) is None),
        "junk": float(
            bool(words & _JUNK_WORDS)
            or any(marker in lower for marker in _JUNK_TEXT)
            or (":" in lower and _LABEL.search(lower) is not None)
        ),
    }


def _naming(flat: Sequence[tuple[str, int, bool]], mentions: Sequence[re.Pattern[str]]) -> set[int]:
    """Which sentences name a matched term: all in the window, the first few after it."""
    naming: set[int] = set()
    later = 0
    for index, (sentence, _, _) in enumerate(flat):
        if later == EXTRA_NAMING or not mentions:
            break
        if any(pattern.search(sentence) for pattern in mentions):
            naming.add(index)
            later += index >= WINDOW
    return naming


def _dot(weights: Sequence[float], values: Sequence[float]) -> float:
    return sum(w * v for w, v in zip(weights, values, strict=True))


def _content_words(text: str) -> frozenset[str]:
    """The words that carry meaning: lower-cased, no function words, no single letters."""
    words = set(_WORD.findall(text.lower())) - _STOPWORDS
    return frozenset(word for word in words if len(word) > 1 and not word.isdigit())


def _overlap(one: Candidate, other: Candidate) -> float:
    """How much of the shorter sentence's content the other repeats."""
    smaller = min(len(one.words), len(other.words))
    return len(one.words & other.words) / smaller if smaller else 0.0
