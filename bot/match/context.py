"""Context rules: when an occurrence of a watched name means something else.

The data is `config/context.toml` (read by `config`), optionally extended by tables of the same
shape (admins, later); `ContextRules.from_tables` merges them. `Lexicon` joins them with the
alias table: each alias name gets a `Sense`, the knowledge needed to tell its occurrences apart.

Rules (decided by `judge`, only for occurrences the index already found):
- A sense belongs to a name reached through alias expansion; a term written `=AS`, or a word
  that is in no alias group, has none and matches as written.
- Longest name: an occurrence inside a longer known name outside its own group (another
  alias, or one of `[names] other`) belongs to that name.
- Per name (`[[rule]]`): words or phrases right before/after, a list of names of one
  vocabulary around it, a small number right after.
- National institutions followed by a foreign country are that country's.
- Acronyms (up to three capitals): initials after "berinisial", a rank or an honorific,
  before "(53)", "(pelaku)" or "sebagai tersangka"; a definition in brackets with another
  expansion ("Partai Bulan Bintang (PBB)"). Either makes every occurrence of the acronym in the
  article something else, except right after a title or an institution word. Two letters
  ending a personal name ("Muchlis AS", not followed by another name as in "Juru Bicara MK
  Fajar"), degrees ("SE, MA, PhD") and codes glued to digits or another code ("PBB-P2",
  "S-217/MK.02", "SMA/SMK/MA", "AS.com") are rejected where they stand.
- A bare name of a known person fires unless a personal name stands right next to it (only
  spaces between): a capitalised word that is no title, honorific, rank, institution, country,
  party, known name or word of the person's own full name, and is never written in lower case
  in the body. In the headline (title case) only what the body showed counts.
- Scan tokens are compared (see `text`); raw text (case, brackets, joiners) is read only when a
  rule needs it, for the occurrence itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from bot.match.text import CLITIC_MARK, is_acronym, words

WINDOW = 8
TITLE = "title"
VOCABULARIES = (
    "titles",
    "institutions",
    "honorifics",
    "ranks",
    "initials",
    "degrees",
    "function_words",
    "countries",
    "continents",
    "parties",
)
CONJUNCTIONS = frozenset({"dan", "serta", "atau", "maupun", "hingga"})
CONNECTORS = frozenset(
    {"dan", "untuk", "di", "ke", "dari", "of", "and", "the", "for", "al", "el", "bin", "binti"}
    | {"van", "de", "der", "von", "la"}
)
DOMAINS = frozenset({"com", "id", "net", "org", "co"})
JOINERS = frozenset({"-", "/", "."})
MAX_NUMBER = 3  # digits of a "MA 50"-style number
MAX_AGE = 2  # digits of an age in brackets, "AS (53)"
NAME_INITIALS = 2  # letters of initials that end a personal name ("Muchlis AS")
_BEFORE = re.compile(r"(\w+)(\W*)$")
_AFTER = re.compile(r"(\W*)(\w+)")
_WORD = re.compile(r"\w+")
Tokens = tuple[str, ...]


class RuleError(ValueError):
    """Context data that cannot be used; the message says which table and why."""


def key_of(text: str) -> Tokens:
    """A name's comparable tokens, casefolded (acronyms too, so keys ignore case)."""
    return tuple(token.casefold() for token in words(text))


@dataclass(frozen=True, slots=True)
class NameRule:
    """One `[[rule]]` table."""

    names: tuple[str, ...]
    previous: tuple[Tokens, ...] = ()
    next: tuple[Tokens, ...] = ()
    listed_with: str = ""
    listed_min: int = 1
    next_number: bool = False
    label: str = ""


@dataclass(frozen=True, slots=True)
class ContextRules:
    """What the context data says, merged from the file and any extra tables."""

    variants: tuple[tuple[str, ...], ...] = ()
    persons: tuple[str, ...] = ()
    other_names: tuple[str, ...] = ()
    national: tuple[str, ...] = ()
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: tuple[NameRule, ...] = ()

    @classmethod
    def from_tables(cls, *tables: Mapping[str, object]) -> ContextRules:
        """Merge context tables (the file's, then extras of the same shape) into rules.

        Lists add up and vocabularies join, so an extra table only says what it adds:
        `{"rule": [{"names": ["AS"], "next": ["Roma"]}]}` or `{"names": {"other": [...]}}`.
        """
        variants: list[tuple[str, ...]] = []
        persons: list[str] = []
        other: list[str] = []
        national: list[str] = []
        vocabulary: dict[str, list[str]] = {name: [] for name in VOCABULARIES}
        rules: list[NameRule] = []
        for table in tables:
            for number, entry in enumerate(_tables(table, "variants"), start=1):
                group = _strings(entry, "words", f"variants #{number}")
                if len(group) < 2 or any(len(key_of(word)) != 1 for word in group):
                    raise RuleError(f"variants #{number} needs words = [two or more words]")
                variants.append(tuple(group))
            persons += _strings(_table(table, "persons"), "names", "persons")
            other += _strings(_table(table, "names"), "other", "names")
            national += _strings(_table(table, "national"), "names", "national")
            words_of = _table(table, "vocabulary")
            for name in words_of:
                if name not in vocabulary:
                    raise RuleError(f"unknown vocabulary {name!r}; known: {', '.join(VOCABULARIES)}")
                vocabulary[name] += _strings(words_of, name, "vocabulary")
            rules += [_rule(entry, n) for n, entry in enumerate(_tables(table, "rule"), start=1)]
        return cls(
            tuple(variants),
            tuple(persons),
            tuple(other),
            tuple(national),
            {name: tuple(found) for name, found in vocabulary.items()},
            tuple(rules),
        )


def _table(data: Mapping[str, object], name: str) -> Mapping[str, object]:
    found = data.get(name, {})
    if not isinstance(found, Mapping):
        raise RuleError(f"[{name}] must be a table")
    return found


def _tables(data: Mapping[str, object], name: str) -> list[Mapping[str, object]]:
    found = data.get(name, [])
    if not isinstance(found, list) or not all(isinstance(t, Mapping) for t in found):
        raise RuleError(f"write each {name} as a [[{name}]] table")
    return found


def _strings(data: Mapping[str, object], name: str, where: str) -> list[str]:
    found = data.get(name, [])
    if not isinstance(found, list) or not all(isinstance(s, str) and key_of(s) for s in found):
        raise RuleError(f"{where}: {name} must be a list of words")
    return found


def _rule(entry: Mapping[str, object], number: int) -> NameRule:
    where = f"rule #{number}"
    names = _strings(entry, "names", where)
    listed = entry.get("listed_with", "")
    listed_min = entry.get("listed_min", 1)
    next_number = entry.get("next_number", False)
    label = entry.get("label", "")
    if not names:
        raise RuleError(f"{where} needs names = [the names it applies to]")
    if listed not in ("", *VOCABULARIES):
        raise RuleError(f"{where}: listed_with must name a vocabulary")
    if not isinstance(listed_min, int) or not isinstance(next_number, bool):
        raise RuleError(f"{where}: listed_min is a number, next_number true or false")
    if not isinstance(label, str):
        raise RuleError(f"{where}: label must be text")
    return NameRule(
        tuple(names),
        tuple(key_of(p) for p in _strings(entry, "previous", where)),
        tuple(key_of(p) for p in _strings(entry, "next", where)),
        str(listed),
        listed_min,
        next_number,
        label,
    )


class Spellings:
    """Single-word spelling variants, each mapped to its class's first word (folded)."""

    def __init__(self, classes: Iterable[Sequence[str]] = ()) -> None:
        self.canonical: dict[str, str] = {}
        for group in classes:
            first = words(group[0])[0]
            for word in group[1:]:
                self.canonical.setdefault(words(word)[0], first)

    def __bool__(self) -> bool:
        return bool(self.canonical)

    def token(self, token: str) -> str:
        """A folded token in canonical spelling (a clitic mark stays)."""
        host = token.removesuffix(CLITIC_MARK)
        found = self.canonical.get(host)
        return token if found is None else found + token[len(host) :]

    def tokens(self, tokens: Iterable[str]) -> Tokens:
        return tuple(map(self.token, tokens))

    def spellings_of(self, canonical: str) -> list[str]:
        """Every spelling of a canonical word, itself first."""
        return [canonical, *(w for w, c in self.canonical.items() if c == canonical)]


@dataclass(frozen=True)
class Vocabulary:
    """The word lists of the general rules, folded for comparison."""

    single: Mapping[str, frozenset[str]]
    multi: Mapping[str, frozenset[Tokens]]
    known: frozenset[str]

    @cached_property
    def not_personal(self) -> frozenset[str]:
        """Words that are never someone's given name."""
        lists = (*VOCABULARIES[:8], "parties")
        return frozenset().union(*(self.single[name] for name in lists)) | self.known

    @cached_property
    def protecting(self) -> frozenset[str]:
        """Words before an acronym that make it an institution, never initials."""
        return self.single["titles"] | self.single["institutions"]

    @cached_property
    def initials(self) -> frozenset[str]:
        return self.single["initials"] | self.single["ranks"] | self.single["honorifics"]


@dataclass(frozen=True, eq=False, slots=True)
class Sense:
    """How occurrences of one alias name are told apart from other meanings of its words."""

    name: Tokens
    own: frozenset[Tokens]
    vocabulary: Vocabulary
    containers: tuple[tuple[Tokens, int], ...] = ()
    previous: tuple[Tokens, ...] = ()
    next: tuple[Tokens, ...] = ()
    listed: str = ""
    listed_min: int = 1
    next_number: bool = False
    national: bool = False
    person: Tokens = ()
    labels: tuple[str, ...] = ()

    @property
    def acronym(self) -> bool:
        return len(self.name) == 1 and is_acronym(self.name[0])


@dataclass(frozen=True, slots=True)
class RawSpot:
    """An occurrence in the (cleaned) field text, with the words right around it.

    `gap_before`/`gap_after` are the characters between the occurrence and the neighbouring
    words, which are empty at the start or end of the field.
    """

    text: str
    start: int
    end: int
    previous: str
    gap_before: str
    next: str
    gap_after: str

    @classmethod
    def at(cls, text: str, start: int, end: int) -> RawSpot:
        before = _BEFORE.search(text, max(0, start - 80), start)
        after = _AFTER.match(text, end, end + 80)
        return cls(
            text,
            start,
            end,
            before.group(1) if before else "",
            before.group(2) if before else text[:start],
            after.group(2) if after else "",
            after.group(1) if after else text[end:],
        )


class Spot(Protocol):
    """One occurrence as the rules see it; the index and the reference each provide one."""

    @property
    def field(self) -> str: ...

    def before(self) -> Sequence[str]:
        """Up to `WINDOW` scan tokens before the occurrence, nearest last."""
        ...

    def after(self) -> Sequence[str]:
        """Up to `WINDOW` scan tokens after it, nearest first."""
        ...

    def raw(self) -> RawSpot | None:
        """The occurrence in the raw text, or None when it cannot be located."""
        ...


class Page:
    """What rules read of the whole document: its cleaned fields, and lower-case words."""

    def __init__(self, fields: Mapping[str, str], body: str) -> None:
        self.fields = fields
        self._body = body
        self._lower: dict[str, bool] = {}

    def written_lower(self, word: str) -> bool:
        """True when the word appears in lower case in the body (a common word, not a name)."""
        lower = word.lower()
        if lower not in self._lower:
            pattern = rf"(?<!\w){re.escape(lower)}(?!\w)"
            self._lower[lower] = re.search(pattern, self._body) is not None
        return self._lower[lower]


def judge(sense: Sense, spots: Sequence[Spot], page: Page) -> list[bool]:
    """Which occurrences of the sense's name in one document mean that name."""
    reasons = [_local(sense, spot, page) for spot in spots]
    if sense.person:
        _namesakes_in_title(sense, spots, reasons)
    if sense.acronym:
        own, other = _definitions(sense, page)
        if not own and (other or any(r == "initials" for r in reasons)):
            for number, spot in enumerate(spots):
                before = spot.before()
                if not (before and before[-1].casefold() in sense.vocabulary.protecting):
                    reasons[number] = reasons[number] or "initials"
    return [reason is None for reason in reasons]


def _local(sense: Sense, spot: Spot, page: Page) -> str | None:
    """Why this occurrence means something else, judged where it stands, or None."""
    before, after = spot.before(), spot.after()
    plain_before = [_plain(t) for t in before]
    plain_after = [_plain(t) for t in after]
    # Rules compare folded words: the scan keeps acronyms in capitals, the data does not.
    for name, offset in sense.containers:
        tail = len(name) - offset - len(sense.name)
        if (
            offset <= len(before)
            and tail <= len(after)
            and tuple(plain_before[len(before) - offset :]) == name[:offset]
            and tuple(plain_after[:tail]) == name[len(name) - tail :]
        ):
            return "name"
    if any(_ends_with(plain_before, p) for p in sense.previous):
        return "previous"
    if any(_starts_with(plain_after, p) for p in sense.next):
        return "next"
    vocabulary = sense.vocabulary
    if sense.listed and _listed(plain_before, plain_after, vocabulary.multi[sense.listed]) >= (
        sense.listed_min
    ):
        return "listed"
    if sense.national and _starts_with_any(plain_after, vocabulary.multi["countries"]):
        return "foreign"
    if sense.next_number and after and after[0].isdigit() and len(after[0]) <= MAX_NUMBER:
        return "number"
    if sense.acronym:
        return _acronym(sense, spot, list(before), list(after), page)
    if sense.person and spot.field != TITLE:
        return _namesake(sense, spot, plain_before, plain_after, page)
    return None


def _acronym(
    sense: Sense, spot: Spot, before: list[str], after: list[str], page: Page
) -> str | None:
    vocabulary = sense.vocabulary
    folded_before = [t.casefold() for t in before]
    # "Letjen TNI Edy": a rank before a national institution is its officer's, not initials.
    cues = vocabulary.single["initials"] if sense.national else vocabulary.initials
    for token in reversed(before):
        if token.casefold() in cues:
            return "initials"
        if not (token.isdigit() or token in CONJUNCTIONS or is_acronym(token)):
            break
    folded_after = [t.casefold() for t in after]
    if folded_after[:2] and folded_after[0] == "sebagai" and (
        folded_after[1:2] and folded_after[1] in vocabulary.single["initials"]
    ):
        return "initials"
    degrees = vocabulary.single["degrees"]
    if (folded_before and folded_before[-1] in degrees) or (
        folded_after and folded_after[0] in degrees
    ):
        return "degree"
    bracketed = bool(after) and (
        (after[0].isdigit() and len(after[0]) <= MAX_AGE)
        or folded_after[0] in vocabulary.single["initials"]
    )
    glued = _may_be_glued(before[-1:]) or _may_be_glued(after[:1])
    personal = (
        spot.field != TITLE
        and len(sense.name[0]) <= NAME_INITIALS
        and bool(folded_before)
        and folded_before[-1].isalpha()
        and folded_before[-1] not in vocabulary.not_personal
    )
    if not (bracketed or glued or personal):
        return None
    raw = spot.raw()
    if raw is None:
        return None
    if bracketed and raw.gap_after.strip() == "(":
        return "initials"
    if glued and _glued(raw, vocabulary):
        return "code"
    if (
        personal
        and not raw.gap_before.strip()
        and _personal(raw.previous, vocabulary, page)
        and _named(folded_before[-2:-1], raw, vocabulary, page)
        and not (not raw.gap_after.strip() and _personal(raw.next, vocabulary, page))
    ):
        return "name ending"
    return None


def _named(before: list[str], raw: RawSpot, vocabulary: Vocabulary, page: Page) -> bool:
    """Is the word before the previous one a title or another part of a personal name?"""
    if not before:
        return False
    if before[0] in vocabulary.initials or before[0] in vocabulary.single["titles"]:
        return True
    earlier = _BEFORE.search(raw.text, max(0, raw.start - 120), raw.start - len(raw.previous) - len(raw.gap_before))
    return bool(earlier) and not earlier.group(2).strip() and _personal(earlier.group(1), vocabulary, page)


def _namesake(
    sense: Sense, spot: Spot, before: list[str], after: list[str], page: Page
) -> str | None:
    """A bare name next to another personal name is someone else ("Edhy Prabowo")."""
    full, name = sense.person, sense.name[0]
    at = full.index(name)
    if tuple(before[len(before) - at :]) == full[:at] and tuple(after[: len(full) - at - 1]) == (
        full[at + 1 :]
    ):
        return None
    candidates = [
        side
        for side, tokens in (("before", before[-1:]), ("after", after[:1]))
        if tokens
        and tokens[0].isalpha()
        and tokens[0] not in full
        and tokens[0].casefold() not in sense.vocabulary.not_personal
    ]
    if not candidates:
        return None
    raw = spot.raw()
    if raw is None:
        return None
    for side in candidates:
        gap, word = (raw.gap_before, raw.previous) if side == "before" else (raw.gap_after, raw.next)
        if not gap.strip() and _personal(word, sense.vocabulary, page):
            return f"namesake {side} {word.casefold()}"
    return None


def _namesakes_in_title(sense: Sense, spots: Sequence[Spot], reasons: list[str | None]) -> None:
    """Headline occurrences next to a word the body showed to be another person's name."""
    others = {
        (side, word)
        for reason in reasons
        if reason and reason.startswith("namesake")
        for _, side, word in [reason.split(" ", 2)]
    }
    if not others:
        return
    for number, spot in enumerate(spots):
        if spot.field != TITLE or reasons[number] is not None:
            continue
        before, after = spot.before(), spot.after()
        if (before and ("before", before[-1].casefold()) in others) or (
            after and ("after", after[0].casefold()) in others
        ):
            reasons[number] = "namesake"


def _personal(word: str, vocabulary: Vocabulary, page: Page) -> bool:
    """A capitalised word that can only be part of a person's name."""
    return (
        word[:1].isupper()
        and not word.isupper()
        and word.isalpha()
        and word.casefold() not in vocabulary.not_personal
        and not page.written_lower(word)
    )


def _may_be_glued(tokens: Sequence[str]) -> bool:
    return bool(tokens) and (
        any(c.isdigit() for c in tokens[0]) or tokens[0].isupper() or tokens[0] in DOMAINS
    )


def _glued(raw: RawSpot, vocabulary: Vocabulary) -> bool:
    """Glued to a code: "PBB-P2", "S-217/MK.02", "SMA/SMK/MA", "BI.ON.INC", "AS.com"."""
    for gap, word in ((raw.gap_before, raw.previous), (raw.gap_after, raw.next)):
        if gap not in JOINERS or not word:
            continue
        if any(c.isdigit() for c in word) or (gap == "." and word in DOMAINS):
            return True
        if word.isupper() and word.casefold() not in vocabulary.known:
            return True
    return False


def _definitions(sense: Sense, page: Page) -> tuple[bool, bool]:
    """Whether the document defines the acronym as its own name, and as something else."""
    acronym = sense.name[0]
    own = other = False
    for text in page.fields.values():
        if acronym not in text:
            continue
        for found in re.finditer(rf"\(\s*{acronym}\s*\)", text):
            expansion = _initials_match(acronym, _capitalised_run(text[: found.start()]))
            own, other = _classify(sense, expansion, own, other)
        for found in re.finditer(rf"(?<!\w){acronym}\s*\(([^()]{{3,120}})\)", text):
            inside = _WORD.findall(found.group(1))
            expansion = _initials_match(acronym, inside, from_start=True)
            own, other = _classify(sense, expansion, own, other)
    return own, other


def _classify(sense: Sense, expansion: list[str], own: bool, other: bool) -> tuple[bool, bool]:
    if not expansion:
        return own, other
    folded = [w.casefold() for w in expansion]
    for name in sense.own:
        if len(name) > 1 and 2 * sum(w in name for w in folded) >= len(name):
            return True, other
    return own, True


def _capitalised_run(text: str) -> list[str]:
    """The words right before a bracket that may spell an acronym (capitalised or connectors)."""
    run = []
    for word in reversed(_WORD.findall(text[-160:])):
        if not (word[:1].isupper() or word.casefold() in CONNECTORS):
            break
        run.append(word)
    return run[::-1]


def _initials_match(acronym: str, run: Sequence[str], from_start: bool = False) -> list[str]:
    """The words of `run` whose initials spell the acronym (connectors may be skipped)."""
    letters = acronym.upper()
    content = [w for w in run if w.casefold() not in CONNECTORS]
    if from_start:
        chosen = content[: len(letters)]
    else:
        chosen = content[len(content) - len(letters) :] if len(content) >= len(letters) else []
    if len(chosen) == len(letters) and all(w[0].upper() == c for w, c in zip(chosen, letters, strict=True)):
        return chosen
    return []


def _listed(before: list[str], after: list[str], names: frozenset[Tokens]) -> int:
    """How many names of one vocabulary are listed right around the occurrence."""
    count = 0
    for side in (before[::-1], after):
        position = 0
        while position < len(side):
            if side[position] in CONJUNCTIONS:
                position += 1
                continue
            width = next((w for w in (2, 1) if _name_at(side, position, w, names, side is after)), 0)
            if not width:
                break
            count += 1
            position += width
    return count


def _name_at(tokens: list[str], at: int, width: int, names: frozenset[Tokens], forward: bool) -> bool:
    piece = tuple(tokens[at : at + width])
    if len(piece) < width:
        return False
    folded = tuple(t.casefold() for t in (piece if forward else piece[::-1]))
    return folded in names


def _plain(token: str) -> str:
    return token.removesuffix(CLITIC_MARK).casefold()


def _ends_with(tokens: Sequence[str], phrase: Tokens) -> bool:
    return len(tokens) >= len(phrase) and tuple(
        t.casefold() for t in tokens[len(tokens) - len(phrase) :]
    ) == phrase


def _starts_with(tokens: Sequence[str], phrase: Tokens) -> bool:
    return len(tokens) >= len(phrase) and tuple(t.casefold() for t in tokens[: len(phrase)]) == phrase


def _starts_with_any(tokens: Sequence[str], names: frozenset[Tokens]) -> bool:
    return any(_starts_with(tokens, name) for name in names)


def raw_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of a cleaned text stands (the `\\w+` runs the scan is made of)."""
    return [match.span() for match in _WORD.finditer(text)]



class Lexicon(Mapping[Tokens, Sequence[str]]):
    """The alias table joined with the context rules.

    As a mapping it is the alias table (a name's key, its tokens casefolded in canonical
    spelling, to every name it stands for); `sense()` gives what tells a name's occurrences
    apart, `spellings` the single-word variants. Built once per change of aliases or rules.
    """

    def __init__(self, groups: Iterable[Sequence[str]], rules: ContextRules | None = None) -> None:
        self.rules = rules
        self.spellings = Spellings(rules.variants if rules else ())
        self._table: dict[Tokens, list[str]] = {}
        self._groups: dict[Tokens, set[Tokens]] = {}
        self._shown: dict[Tokens, str] = {}
        for group in groups:
            keys = {self.key(name) for name in group} - {()}
            for name in group:
                key = self.key(name)
                if not key:
                    continue
                members = self._table.setdefault(key, [])
                members.extend(other for other in group if other not in members)
                self._groups.setdefault(key, set()).update(keys)
                self._shown.setdefault(key, name)
        self._senses: dict[Tokens, Sense | None] = {}

    def key(self, name: str) -> Tokens:
        """A name's table key: its tokens in canonical spelling, casefolded."""
        return tuple(t.casefold() for t in self.spellings.tokens(words(name)))

    def __getitem__(self, key: Tokens) -> Sequence[str]:
        return self._table[key]

    def __iter__(self) -> Iterator[Tokens]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def sense(self, tokens: Tokens) -> Sense | None:
        """The sense of an alias name given as term tokens, or None without rules."""
        key = tuple(t.casefold() for t in tokens)
        if self.rules is None or key not in self._table:
            return None
        if key not in self._senses:
            self._senses[key] = self._make_sense(tokens, key, self.rules)
        return self._senses[key]

    def _make_sense(self, tokens: Tokens, key: Tokens, rules: ContextRules) -> Sense:
        own = frozenset(self._groups[key])
        containers = tuple(
            (name, offset)
            for name in self._known_names
            if len(name) > len(key) and name not in own
            for offset in _offsets(name, key)
        )
        applying = [rule for rule in rules.rules if key in {self.key(n) for n in rule.names}]
        national = {self.key(n) for n in rules.national}
        person = next((full for full in self._persons if len(key) == 1 and key[0] in full), ())
        labels = [self._shown.get(name, " ".join(name)) for name, _ in containers]
        labels += [rule.label for rule in applying if rule.label]
        listed = next((r for r in applying if r.listed_with), None)
        return Sense(
            name=tokens,
            own=own,
            vocabulary=self._vocabulary,
            containers=containers,
            previous=tuple(p for r in applying for p in r.previous),
            next=tuple(p for r in applying for p in r.next),
            listed=listed.listed_with if listed else "",
            listed_min=listed.listed_min if listed else 1,
            next_number=any(r.next_number for r in applying),
            national=not own.isdisjoint(national),
            person=person,
            labels=tuple(labels),
        )

    @cached_property
    def _known_names(self) -> dict[Tokens, None]:
        """Every alias, then every other known name, in the order the data lists them."""
        other = self.rules.other_names if self.rules else ()
        for name in other:
            self._shown.setdefault(self.key(name), name)
        return dict.fromkeys([*self._table, *(self.key(name) for name in other)])

    @cached_property
    def _persons(self) -> tuple[Tokens, ...]:
        return tuple(self.key(name) for name in (self.rules.persons if self.rules else ()))

    @cached_property
    def _vocabulary(self) -> Vocabulary:
        lists = self.rules.vocabulary if self.rules else {}
        multi = {name: frozenset(self.key(w) for w in lists.get(name, ())) for name in VOCABULARIES}
        single = {name: frozenset(k[0] for k in keys if len(k) == 1) for name, keys in multi.items()}
        known = frozenset(key[0] for key in self._known_names if len(key) == 1)
        return Vocabulary(single, multi, known)

    def shown(self, key: Tokens) -> str:
        """A name as the data writes it."""
        return self._shown.get(key, " ".join(key))


def _offsets(name: Tokens, part: Tokens) -> list[int]:
    width = len(part)
    return [i for i in range(len(name) - width + 1) if name[i : i + width] == part]
