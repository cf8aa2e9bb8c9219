"""Context rules: when an occurrence of a watched name means something else.

The data is `config/context.toml` (read by `config`), extended by the rules admins add from
chat (`bot.lexicon`, one small table each); `ContextRules.from_tables` merges tables,
`ContextRules.merged` merged rules. `Lexicon` joins them with the alias table: each alias name
gets a `Sense`, the knowledge needed to tell its occurrences apart.

Rules (decided by `judge`, only for occurrences the index already found):
- A sense belongs to a name reached through alias expansion; a term written `=AS`, or a word
  that is in no alias group, has none and matches as written.
- A name of several words is written without punctuation between them (spaces, hyphens and
  apostrophes only): "World Bank, Indonesia" is no "Bank Indonesia".
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
from functools import cached_property, lru_cache
from typing import Any, Protocol

from bot.match.text import CLITIC_MARK, CLITICS, MIN_CLITIC_HOST, is_acronym, words

WINDOW = 6
BODY = "body"
MAX_PHRASE = 4  # words of a phrase or a name read before or after an occurrence
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
JOINERS = ("-", "/", ".")  # glue a code together: "PBB-P2", "S-217/MK.02", "BI.ON.INC"
GAP = r"\W+"  # what stands between two words
NAME_GAP = r"[\s\-\u2010-\u2015']+"  # what may stand between the words of a name
# on the reversed text before a name: the gap, the word before, the gap and word before that
_REVERSED_BEFORE = re.compile(r"(\W*)(\w+)(?:(\W+)(\w+))?")
_WORD_AFTER = re.compile(r"(\W*)(\w+)")
MAX_NUMBER = 3  # digits of a "MA 50"-style number
MAX_AGE = 2  # digits of an age in brackets, "AS (53)"
NAME_INITIALS = 2  # letters of initials that end a personal name ("Muchlis AS")
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
                    raise RuleError(
                        f"unknown vocabulary {name!r}; known: {', '.join(VOCABULARIES)}"
                    )
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

    def merged(self, other: ContextRules) -> ContextRules:
        """These rules followed by `other`'s, as `from_tables` merges their tables."""
        return ContextRules(
            self.variants + other.variants,
            self.persons + other.persons,
            self.other_names + other.other_names,
            self.national + other.national,
            {
                name: (*self.vocabulary.get(name, ()), *other.vocabulary.get(name, ()))
                for name in VOCABULARIES
            },
            self.rules + other.rules,
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
        # every spelling as a token can read, with a clitic mark too, to its canonical token
        self.lookup = {**self.canonical}
        self.lookup.update({w + CLITIC_MARK: c + CLITIC_MARK for w, c in self.canonical.items()})
        self._variants: dict[str, list[str]] = {}
        for word, canonical in self.canonical.items():
            self._variants.setdefault(canonical, []).append(word)

    def __bool__(self) -> bool:
        return bool(self.canonical)

    def token(self, token: str) -> str:
        """A folded token in canonical spelling (a clitic mark stays)."""
        return self.lookup.get(token, token)

    def tokens(self, tokens: Iterable[str]) -> Tokens:
        if not self.lookup:
            return tuple(tokens)
        return tuple(self.lookup.get(token, token) for token in tokens)

    def spellings_of(self, canonical: str) -> list[str]:
        """Every spelling of a canonical word, itself first."""
        return [canonical, *self._variants.get(canonical, ())]


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
    def addresses(self) -> frozenset[str]:
        """Ranks and honorifics: right before an acronym they make it initials."""
        return self.single["ranks"] | self.single["honorifics"]

    @cached_property
    def initials(self) -> frozenset[str]:
        return self.single["initials"] | self.addresses


@dataclass(frozen=True, eq=False, slots=True)
class Sense:
    """How occurrences of one alias name are told apart from other meanings of its words."""

    name: Tokens
    own: frozenset[Tokens]
    vocabulary: Vocabulary
    containers: tuple[tuple[Tokens, int], ...] = ()
    previous: frozenset[Tokens] = frozenset()
    next: frozenset[Tokens] = frozenset()
    listed: str = ""
    listed_min: int = 1
    next_number: bool = False
    national: bool = False
    person: Tokens = ()
    labels: tuple[str, ...] = ()
    pattern: re.Pattern[str] = re.compile("(?!)")  # the name in cleaned text, any gap
    whole: re.Pattern[str] = re.compile("(?!)")  # the name with only spaces or hyphens inside
    lowered: bool = False  # patterns written for lower-cased ASCII text
    capitalised: tuple[str, ...] = ()  # a one-word name's spellings as a name is written
    acronym: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "acronym", len(self.name) == 1 and is_acronym(self.name[0]))

    def spans(self, text: str, pattern: re.Pattern[str]) -> Iterator[tuple[int, int]]:
        """Where one of the sense's patterns finds the name in cleaned text, as whole words.

        The patterns start with the name itself (a leading look-behind would make every
        search slow); the word boundary before it is checked here. A one-word name that is no
        acronym is looked for in the lower-cased text when that keeps every position.
        """
        if self.lowered:
            if text.isascii():
                text = _lowered(text)
            else:
                pattern = re.compile(pattern.pattern, re.IGNORECASE)
        for match in pattern.finditer(text):
            start = match.start()
            if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "_"):
                yield match.span()

    @property
    def reads_raw(self) -> bool:
        """True when some rule reads how the name is written (capitals, brackets, gaps)."""
        return self.acronym or bool(self.person) or len(self.name) > 1 or self.next_number

    def needles(self) -> list[Tokens]:
        """Word sequences (as a scan string writes them) one of which stands where any rule
        that reads only words rejects an occurrence; the index finds them in its one pass."""
        name, vocabulary = self.name, self.vocabulary
        found = [n[:offset] + name + n[offset + len(name) :] for n, offset in self.containers]
        found += [p + name for p in self.previous] + [name + p for p in self.next]
        if self.listed:
            for item in vocabulary.multi[self.listed]:
                for joint in [(), *((c,) for c in CONJUNCTIONS)]:
                    found += [item + joint + name, name + joint + item]
        if self.national:
            found += [name + country for country in vocabulary.multi["countries"]]
        if self.acronym:
            if not self.national:
                found += [(cue, *name) for cue in vocabulary.addresses]
            roles = vocabulary.single["initials"]
            found += [(role,) for role in roles]  # "berinisial MA (29), IR (28)": any role word
            found += [(*name, "sebagai", role) for role in roles]
            degrees = vocabulary.single["degrees"]
            found += [(d, *name) for d in degrees] + [(*name, d) for d in degrees]
        return found

    def quiet(self, page: Page, fields: Iterable[str]) -> bool:
        """True when no rule that reads the raw text can reject an occurrence in these fields.

        (Rules that read only words are covered by `needles`.)
        """
        vocabulary = self.vocabulary
        for field_name in fields:
            if len(self.name) > 1 and not page.names(self, field_name):
                return False
            if self.next_number and any(
                w.isdigit() and len(w) <= MAX_NUMBER
                for _, w in page.next_to(self, field_name).after
            ):
                return False
            if self.person and field_name != TITLE and page.capitalised(self, field_name):
                around = page.next_to(self, field_name)
                written = {w for w, gap in around.before if _spaces(gap)}
                written |= {w for gap, w in around.after if _spaces(gap)}
                others = {w.casefold() for w in written} - set(self.person)
                if any(_personal(w, written, vocabulary, page) for w in others):
                    return False
            if self.acronym and not _acronym_quiet(
                self, field_name, page.next_to(self, field_name), page
            ):
                return False
        if self.acronym:
            own, other = _definitions(self, page)
            return own or not other
        return True

    @property
    def idle(self) -> bool:
        """True when no rule can ever reject an occurrence (then a term needs no sense)."""
        return len(self.name) == 1 and not (
            self.containers
            or self.previous
            or self.next
            or self.listed
            or self.next_number
            or self.national
            or self.person
            or self.acronym
        )


class Spot(Protocol):
    """One occurrence as the rules see it; the index and the reference each provide one."""

    @property
    def field(self) -> str: ...

    def before(self) -> Sequence[str]:
        """Up to `WINDOW` tokens before the occurrence, nearest last, in comparable form
        (`text.base`, canonical spelling)."""
        ...

    def after(self) -> Sequence[str]:
        """Up to `WINDOW` tokens after it, nearest first, in comparable form."""
        ...


@dataclass
class Surroundings:
    """Around every occurrence of a name in one field: the word before it with the gap
    between (and the two words before), the gap and the word after. Rules that depend on how
    words are written (capitals, brackets, hyphens) read these; a pair found anywhere in the
    field counts for each occurrence between those words."""

    before: set[tuple[str, str]] = field(default_factory=set)
    before_two: set[tuple[str, str, str, str]] = field(default_factory=set)
    after: set[tuple[str, str]] = field(default_factory=set)


@lru_cache(maxsize=4)
def _lowered(text: str) -> str:
    """A document field in lower case, made once for every sense that reads it so."""
    return text.lower()


class Page:
    """What rules read of a document's cleaned text, each question asked once per document."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = fields
        self._answers: dict[tuple[int, str], Surroundings] = {}
        self._whole: dict[tuple[int, str], bool] = {}
        self._lower: dict[str, bool] = {}

    def next_to(self, sense: Sense, field: str) -> Surroundings:
        """How the field writes the sense's name: the words and gaps around each occurrence."""
        question = (id(sense), field)
        if question not in self._answers:
            text = self.fields[field]
            found = Surroundings()
            for start, end in sense.spans(text, sense.pattern):
                if sense.person and not text[start].isupper():
                    continue  # namesakes stand next to a name written as a name
                before = _REVERSED_BEFORE.match(text[max(0, start - 80) : start][::-1])
                if before:
                    gap, word, earlier_gap, earlier = (
                        g[::-1] if g else "" for g in before.groups()
                    )
                    found.before.add((word, gap))
                    found.before_two.add((earlier, earlier_gap, word, gap))
                after = _WORD_AFTER.match(text, end, end + 80)
                if after:
                    found.after.add((after.group(1), after.group(2)))
            self._answers[question] = found
        return self._answers[question]

    def names(self, sense: Sense, field: str) -> bool:
        """Does the field write the sense's name with only spaces or hyphens inside?"""
        question = (id(sense), field + " whole")
        if question not in self._whole:
            self._whole[question] = any(sense.spans(self.fields[field], sense.whole))
        return self._whole[question]

    def capitalised(self, sense: Sense, field: str) -> bool:
        """Does the field write the sense's one-word name capitalised somewhere ("Prabowo")?"""
        text = self.fields[field]
        return any(form in text for form in sense.capitalised)

    def written_lower(self, word: str) -> bool:
        """True when the word appears in lower case in the body (a common word, not a name)."""
        if word not in self._lower:
            text, lowered = self.fields[BODY], word.lower()
            position, found = text.find(lowered), False
            while position >= 0 and not found:
                end = position + len(lowered)
                found = not (_word_char(text, position - 1) or _word_char(text, end))
                position = text.find(lowered, position + 1)
            self._lower[word] = found
        return self._lower[word]


def _word_char(text: str, position: int) -> bool:
    """Is there a word character (`\\w`) at this position of the text?"""
    if not 0 <= position < len(text):
        return False
    char = text[position]
    return char.isalnum() or char == "_"


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
    field = spot.field
    if len(sense.name) > 1 and not _written_whole(sense, field, page):
        return "punctuation"
    before, after = spot.before(), spot.after()
    # Rules compare folded words: the scan keeps acronyms in capitals, the data does not.
    plain_before = [t.casefold() for t in before]
    plain_after = [t.casefold() for t in after]
    width = len(sense.name)
    for name, offset in sense.containers:
        tail = len(name) - offset - width
        if (
            offset <= len(before)
            and tail <= len(after)
            and tuple(plain_before[len(before) - offset :]) == name[:offset]
            and tuple(plain_after[:tail]) == name[offset + width :]
        ):
            return "name"
    if _ends_with(plain_before, sense.previous):
        return "previous"
    if _starts_with(plain_after, sense.next):
        return "next"
    vocabulary = sense.vocabulary
    if sense.listed and _listed(plain_before, plain_after, vocabulary.multi[sense.listed]) >= (
        sense.listed_min
    ):
        return "listed"
    if sense.national and _starts_with(plain_after, vocabulary.multi["countries"]):
        return "foreign"
    if sense.next_number and after and after[0].isdigit() and len(after[0]) <= MAX_NUMBER:
        return "number"
    if sense.acronym:
        return _acronym(sense, field, before, after, page)
    if sense.person and field != TITLE:
        return _namesake(sense, field, plain_before, plain_after, page)
    return None


def _acronym(
    sense: Sense, field: str, before: Sequence[str], after: Sequence[str], page: Page
) -> str | None:
    vocabulary = sense.vocabulary
    acronym = sense.name[0]
    folded_before = [t.casefold() for t in before]
    folded_after = [t.casefold() for t in after]
    roles = vocabulary.single["initials"]
    # "Letjen TNI Edy": a rank before a national institution is its officer's, not initials.
    if folded_before[-1:] and not sense.national and folded_before[-1] in vocabulary.addresses:
        return "initials"
    for token in reversed(before):  # "berinisial MA (29), IR (28)"
        if token.casefold() in roles:
            return "initials"
        if not (token.isdigit() or token in CONJUNCTIONS or is_acronym(token)):
            break
    if folded_after[:1] == ["sebagai"] and folded_after[1:2] and folded_after[1] in roles:
        return "initials"
    degrees = vocabulary.single["degrees"]
    if folded_before[-1:] and folded_before[-1] in degrees:
        return "degree"
    if folded_after[:1] and folded_after[0] in degrees:
        return "degree"
    following = folded_after[0] if after else ""
    bracketed = (following.isdigit() and len(following) <= MAX_AGE) or following in roles
    if bracketed and any(
        gap.strip() == "(" and word.casefold() == following
        for gap, word in page.next_to(sense, field).after
    ):
        return "initials"
    if _glued(sense, field, before[-1:], after[:1], page):
        return "code"
    if len(acronym) <= NAME_INITIALS and field != TITLE and before:
        return _name_ending(sense, field, folded_before, folded_after, page)
    return None


def _acronym_quiet(sense: Sense, field: str, around: Surroundings, page: Page) -> bool:
    """No bracketed age or role, code, or ending of a personal name around the acronym."""
    vocabulary = sense.vocabulary
    roles = vocabulary.single["initials"]
    for gap, word in around.after:
        folded = word.casefold()
        if gap.strip() == "(" and ((word.isdigit() and len(word) <= MAX_AGE) or folded in roles):
            return False
        if gap in JOINERS and (_code(word, vocabulary) or (gap == "." and folded in DOMAINS)):
            return False
    for word, gap in around.before:
        if gap in JOINERS and _code(word, vocabulary):
            return False
    if len(sense.name[0]) <= NAME_INITIALS and field != TITLE:
        written = {w for w, gap in around.before if _spaces(gap)}
        if any(_personal(w.casefold(), written, vocabulary, page) for w in written):
            return False
    return True


def _code(word: str, vocabulary: Vocabulary) -> bool:
    """A word that glued to an acronym makes a code: digits, or capitals of no known name."""
    return any(c.isdigit() for c in word) or (
        word.isupper() and word.casefold() not in vocabulary.known
    )


def _name_ending(
    sense: Sense, field: str, before: list[str], after: list[str], page: Page
) -> str | None:
    """Two letters that end a titled or two-word personal name ("Kombes Hadi AS")."""
    vocabulary = sense.vocabulary
    around = page.next_to(sense, field)
    name = before[-1]
    if not _personal(name, {w for w, gap in around.before if _spaces(gap)}, vocabulary, page):
        return None
    earlier = before[-2] if len(before) > 1 else ""
    if not (earlier in vocabulary.initials or earlier in vocabulary.single["titles"]):
        written = {
            first
            for first, gap, second, gap_after in around.before_two
            if _spaces(gap) and _spaces(gap_after) and second.casefold() == name
        }
        if not _personal(earlier, written, vocabulary, page):
            return None
    following = after[0] if after else ""
    if _personal(following, {w for gap, w in around.after if _spaces(gap)}, vocabulary, page):
        return None
    return "name ending"


def _namesake(
    sense: Sense, field: str, before: list[str], after: list[str], page: Page
) -> str | None:
    """A bare name next to another personal name is someone else ("Edhy Prabowo")."""
    full, name = sense.person, sense.name[0]
    at = full.index(name)
    if (
        tuple(before[len(before) - at :]) == full[:at]
        and tuple(after[: len(full) - at - 1]) == (full[at + 1 :])
    ):
        return None
    around = page.next_to(sense, field)
    sides = (
        ("before", before[-1] if before else "", {w for w, gap in around.before if _spaces(gap)}),
        ("after", after[0] if after else "", {w for gap, w in around.after if _spaces(gap)}),
    )
    for side, word, written in sides:
        if word not in full and _personal(word, written, sense.vocabulary, page):
            return f"namesake {side} {word}"
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


def _personal(word: str, written: set[str], vocabulary: Vocabulary, page: Page) -> bool:
    """Is this neighbour (folded) part of a personal name?

    It is when it is a word outside every vocabulary, written capitalised (not in capitals)
    right next to the name (`written`: the words the text writes there with only spaces
    between), and never in lower case in the body.
    """
    return (
        word.isalpha()
        and word not in vocabulary.not_personal
        and any(w.casefold() == word and w[:1].isupper() and not w.isupper() for w in written)
        and not page.written_lower(word)
    )


def _spaces(gap: str) -> bool:
    return bool(gap) and gap.isspace()


def _written_whole(sense: Sense, field: str, page: Page) -> bool:
    """Is a name of several words written somewhere with only spaces or hyphens inside?"""
    return page.names(sense, field)


def _glued(
    sense: Sense, field: str, before: Sequence[str], after: Sequence[str], page: Page
) -> bool:
    """Glued to a code: "PBB-P2", "S-217/MK.02", "SMA/SMK/MA", "BI.ON.INC", "AS.com"."""
    around = page.next_to(sense, field)
    sides = (
        (before, False, around.before),
        (after, True, {(w, gap) for gap, w in around.after}),
    )
    for neighbours, following, written in sides:
        if not neighbours:
            continue
        neighbour = neighbours[0].casefold()
        code = _code(neighbours[0], sense.vocabulary)
        website = following and neighbour in DOMAINS
        if not (code or website):
            continue
        for word, gap in written:
            if word.casefold() == neighbour and gap in (JOINERS if code else "."):
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
        for found in re.finditer(rf"{acronym}\s*\(([^()]{{3,120}})\)", text):
            if found.start() and (
                text[found.start() - 1].isalnum() or text[found.start() - 1] == "_"
            ):
                continue
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
    """The words right before a bracket that may spell an acronym: capitalised ("Partai Bulan
    Bintang (PBB)") or lower-case ("musim kemarau (MK)"), connectors allowed between."""
    words = _WORD.findall(text[-160:])
    if not words:
        return []
    capital = words[-1][:1].isupper()
    run = []
    for word in reversed(words):
        if not (word[:1].isupper() == capital or word.casefold() in CONNECTORS):
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
    if len(chosen) == len(letters) and all(
        w[0].upper() == c for w, c in zip(chosen, letters, strict=True)
    ):
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
            width = next(
                (w for w in (2, 1) if _name_at(side, position, w, names, side is after)), 0
            )
            if not width:
                break
            count += 1
            position += width
    return count


def _name_at(
    tokens: list[str], at: int, width: int, names: frozenset[Tokens], forward: bool
) -> bool:
    piece = tuple(tokens[at : at + width])
    if len(piece) < width:
        return False
    return (piece if forward else piece[::-1]) in names


def _ends_with(tokens: Sequence[str], phrases: frozenset[Tokens]) -> bool:
    """Do the (folded) tokens end with one of the phrases?"""
    return any(tuple(tokens[len(tokens) - n :]) in phrases for n in _widths(phrases, len(tokens)))


def _starts_with(tokens: Sequence[str], phrases: frozenset[Tokens]) -> bool:
    """Do the (folded) tokens start with one of the phrases?"""
    return any(tuple(tokens[:n]) in phrases for n in _widths(phrases, len(tokens)))


def _widths(phrases: frozenset[Tokens], available: int) -> range:
    return range(1, min(MAX_PHRASE, available) + 1) if phrases else range(0)


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

    def get(self, key: Tokens, default: Any = None) -> Any:  # the table's own, not Mapping's
        return self._table.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._table

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
            sense = self._make_sense(tokens, key, self.rules)
            self._senses[key] = None if sense.idle else sense
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
        person = next(
            (
                full
                for full in self._persons
                if len(key) == 1 and key[0] in full and not is_acronym(tokens[0])
            ),
            (),
        )
        pattern, whole, lowered = _patterns(tokens, self.spellings)
        labels = [rule.label for rule in applying if rule.label]
        labels += [self.shown(name) for name, _ in containers]
        listed = next((r for r in applying if r.listed_with), None)
        return Sense(
            name=tokens,
            own=own,
            vocabulary=self._vocabulary,
            containers=containers,
            previous=frozenset(p for r in applying for p in r.previous),
            next=frozenset(p for r in applying for p in r.next),
            listed=listed.listed_with if listed else "",
            listed_min=listed.listed_min if listed else 1,
            next_number=any(r.next_number for r in applying),
            national=not own.isdisjoint(national),
            person=person,
            labels=tuple(labels),
            pattern=pattern,
            whole=whole,
            lowered=lowered,
            capitalised=tuple(w[:1].upper() + w[1:] for w in self.spellings.spellings_of(key[0]))
            if len(key) == 1
            else (),
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
        single = {
            name: frozenset(k[0] for k in keys if len(k) == 1) for name, keys in multi.items()
        }
        known = frozenset(key[0] for key in self._known_names if len(key) == 1)
        return Vocabulary(single, multi, known)

    def shown(self, key: Tokens) -> str:
        """A name as the data writes it."""
        return self._shown.get(key, " ".join(key))


def written_forms(tokens: Tokens, spellings: Spellings) -> tuple[str, ...]:
    """Each word of a name as cleaned text writes it: an acronym in capitals, any other word
    in any case and spelling, the last one with a clitic (as regular expressions)."""
    forms = []
    for position, token in enumerate(tokens):
        if is_acronym(token):
            forms.append(token)
            continue
        spelled = "|".join(re.escape(word) for word in spellings.spellings_of(token))
        last = position == len(tokens) - 1
        clitic = f"(?:{'|'.join(CLITICS)})?" if last and len(token) >= MIN_CLITIC_HOST else ""
        forms.append(f"(?i:(?:{spelled}){clitic})")
    return tuple(forms)


def _patterns(
    tokens: Tokens, spellings: Spellings
) -> tuple[re.Pattern[str], re.Pattern[str], bool]:
    """A name in cleaned text: with any gap between its words, and as a name is written.

    A name without acronyms is searched for in lower-cased ASCII text, which is several
    times faster than ignoring case.
    """
    if any(is_acronym(token) for token in tokens):
        forms = written_forms(tokens, spellings)
        gap, whole = re.compile(GAP.join(forms) + r"(?!\w)"), NAME_GAP.join(forms)
        return gap, re.compile(whole + r"(?!\w)"), False
    words = []
    for position, token in enumerate(tokens):
        spelled = "|".join(re.escape(word) for word in spellings.spellings_of(token))
        last = position == len(tokens) - 1
        clitic = f"(?:{'|'.join(CLITICS)})?" if last and len(token) >= MIN_CLITIC_HOST else ""
        words.append(f"(?:{spelled}){clitic}")
    gap = re.compile(GAP.join(words) + r"(?!\w)")
    return gap, re.compile(NAME_GAP.join(words) + r"(?!\w)"), True


def _offsets(name: Tokens, part: Tokens) -> list[int]:
    width = len(part)
    return [i for i in range(len(name) - width + 1) if name[i : i + width] == part]
