"""The watch query language: grammar, parse tree, checks, alias expansion and display.

Grammar (what a user types after /watch):

    query   := either
    either  := all (("OR" | "atau") all)*          OR binds looser than AND
    all     := unary+                              terms side by side: AND
    unary   := "-" unary | "(" either ")" | near
    near    := atom ["NEAR/" N atom]               both within N words (N ≤ 50)
    atom    := [field ":"] ["="] (word | "phrase")
    field   := "title" | "judul" | "source" | "sumber"

- A word is a run of characters without spaces, brackets or quotes (one of punctuation only,
  like "&", is skipped); "phrase" in straight or curly quotes. Both become a `Term`: a sequence of word tokens (see `text`), matched whole.
- `title:` restricts a term to the headline; `source:` restricts the watch to sources whose
  name, feed host or article host matches (`source:detik.com`, `source:"CNN Indonesia"`).
- `=term` switches alias expansion off for that term; otherwise a term that is in the alias
  table stands for all its equivalents (`Korut` → Korut OR "Korea Utara" OR …), written as
  the table writes it (`as` → `AS`, which only matches in capitals). Bare words side by side
  that spell an alias name are that name as a phrase: `Korea Utara` is `"Korea Utara"`.
- With a `Lexicon` (aliases plus context rules): words are in canonical spelling everywhere,
  also inside phrases and after `=` (`"Laut Cina Selatan"` is "laut china selatan"), and each
  term reached through alias expansion carries its `Sense`, the context rules that tell its
  occurrences apart (`AS` is not "AS Roma", not initials); `=AS` carries none.
- No regular expressions, wildcards or anything whose cost depends on the input's shape.
- Refused with a `QueryError` (a code for the user's language, plus details): empty, longer
  than 300 characters, more than 20 terms, an unbalanced quote or bracket, a dangling operator,
  a NEAR whose sides are not terms, or a query that could match without any of its words (only
  exclusions, or an OR branch of only exclusions) — an alert must be caused by a word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.match.context import Lexicon, Sense, Spellings
from bot.match.text import words

MAX_LENGTH = 300
MAX_TERMS = 20
MAX_NEAR = 50
MAX_ALIAS_WORDS = 6
FIELDS = {"title": "title", "judul": "title", "source": "source", "sumber": "source"}
_LEXEME = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<minus>-)(?=[^\s)])|(?P<near>(?i:near)/(?P<n>\d+))(?=\s|$)"
    r'|(?P<field>[A-Za-z]+):(?=\S)|(?P<eq>=)(?=\S)|["“”](?P<phrase>[^"“”]*)["“”]|(?P<quote>["“”])'
    r"|(?P<word>[^\s()\"“”]+))"
)


ERROR_CODES = (
    "empty",
    "too_long",
    "too_many_terms",
    "unbalanced_quote",
    "unbalanced_bracket",
    "dangling",
    "unexpected",
    "only_exclusions",
    "no_words",
    "unknown_field",
    "near_terms",
    "near_distance",
)


class QueryError(ValueError):
    """A query that cannot be a watch; `code` names a text in the user's language."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass(frozen=True, slots=True)
class Term:
    """Consecutive word tokens; `title_only` restricts it to the headline.

    `sense` (from alias expansion) says which occurrences count; without one, all do.
    """

    tokens: tuple[str, ...]
    title_only: bool = False
    typed: str = ""
    sense: Sense | None = None

    @property
    def key(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """A term and its aliases: true when one of them occurs."""

    terms: tuple[Term, ...]
    typed: str


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Near:
    left: AnyOf
    right: AnyOf
    distance: int


@dataclass(frozen=True, slots=True)
class Source:
    """Restricts the watch to matching sources; `value` is folded tokens of what was typed."""

    tokens: tuple[str, ...]
    typed: str


Node = AnyOf | Not | And | Or | Near | Source


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed, checked, alias-expanded watch query."""

    root: Node
    display: str
    spellings: Spellings = field(default_factory=Spellings)

    def terms(self) -> list[Term]:
        """Every term the query can match on, aliases included."""
        return [term for any_of in _walk_any_of(self.root) for term in any_of.terms]

    def any_of(self) -> list[AnyOf]:
        """Each term as typed with the terms it stands for, in query order."""
        return _walk_any_of(self.root)


AliasTable = Mapping[tuple[str, ...], Sequence[str]]


def parse_query(text: str, aliases: AliasTable | None = None) -> Query:
    """Parse and check a query; raise `QueryError` with what is wrong."""
    text = " ".join(text.split())
    if not text:
        raise QueryError("empty")
    if len(text) > MAX_LENGTH:
        raise QueryError("too_long", length=len(text), limit=MAX_LENGTH)
    parser = _Parser(_lex(text), aliases or {})
    root = parser.either()
    if parser.peek() is not None:
        kind, value = parser.peek()  # type: ignore[misc]
        raise QueryError("unbalanced_bracket" if kind == "close" else "unexpected", token=value)
    if parser.term_count > MAX_TERMS:
        raise QueryError("too_many_terms", count=parser.term_count, limit=MAX_TERMS)
    if not anchored(root):
        raise QueryError("only_exclusions")
    return Query(root=root, display=render(root), spellings=parser.spellings)


def render(node: Node) -> str:
    """The normalised form shown back to the user: explicit OR, brackets where needed."""
    if isinstance(node, AnyOf):
        return node.typed
    if isinstance(node, Source):
        return f"source:{_quoted(node.typed)}"
    if isinstance(node, Not):
        inner = render(node.child)
        return f"-({inner})" if isinstance(node.child, And | Or) else f"-{inner}"
    if isinstance(node, Near):
        return f"{node.left.typed} NEAR/{node.distance} {node.right.typed}"
    if isinstance(node, And):
        return " ".join(f"({render(c)})" if isinstance(c, Or) else render(c) for c in node.children)
    return " OR ".join(render(c) for c in node.children)


def _quoted(text: str) -> str:
    return f'"{text}"' if " " in text else text


def _walk_any_of(node: Node) -> list[AnyOf]:
    if isinstance(node, AnyOf):
        return [node]
    if isinstance(node, Near):
        return [node.left, node.right]
    if isinstance(node, Not):
        return _walk_any_of(node.child)
    if isinstance(node, And | Or):
        return [found for child in node.children for found in _walk_any_of(child)]
    return []


def anchored(node: Node) -> bool:
    """True when the node can only be true if one of its words occurs."""
    if isinstance(node, AnyOf | Near):
        return True
    if isinstance(node, Not | Source):
        return False
    if isinstance(node, And):
        return any(anchored(child) for child in node.children)
    return all(anchored(child) for child in node.children)


def _lex(text: str) -> list[tuple[str, str]]:
    lexemes: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        found = _LEXEME.match(text, position)
        if found is None or found.end() == position:
            break
        position = found.end()
        kind = found.lastgroup or ""
        if kind == "quote":
            raise QueryError("unbalanced_quote")
        if kind == "n":
            kind = "near"
        value = found.group("n") if kind == "near" else found.group(kind)
        if kind == "word" and (value in ("OR", "|") or value.lower() == "atau"):
            kind = "or"
        elif kind == "word" and not words(value):
            continue
        lexemes.append((kind, value))
    if not lexemes:
        raise QueryError("no_words", term=text)
    return lexemes


class _Parser:
    def __init__(self, lexemes: list[tuple[str, str]], aliases: AliasTable) -> None:
        self._lexemes = lexemes
        self._position = 0
        self._aliases = aliases
        self._lexicon = aliases if isinstance(aliases, Lexicon) else None
        self.spellings = self._lexicon.spellings if self._lexicon else Spellings()
        self.term_count = 0

    def _tokens(self, text: str) -> tuple[str, ...]:
        """A text's word tokens in canonical spelling."""
        return self.spellings.tokens(words(text))

    def _key(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(t.casefold() for t in tokens)

    def _sense(self, tokens: tuple[str, ...]) -> Sense | None:
        return self._lexicon.sense(tokens) if self._lexicon else None

    def peek(self) -> tuple[str, str] | None:
        if self._position < len(self._lexemes):
            return self._lexemes[self._position]
        return None

    def _take(self) -> tuple[str, str]:
        lexeme = self.peek()
        if lexeme is None:
            raise QueryError("dangling")
        self._position += 1
        return lexeme

    def either(self) -> Node:
        children = [self.all()]
        while (lexeme := self.peek()) is not None and lexeme[0] == "or":
            self._take()
            children.append(self.all())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def all(self) -> Node:
        children: list[Node] = []
        while (lexeme := self.peek()) is not None and lexeme[0] not in ("or", "close"):
            children.append(self.unary())
        if not children:
            raise QueryError("dangling")
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        kind, value = self._take()
        if kind == "minus":
            return Not(self.unary())
        if kind == "open":
            inner = self.either()
            if self.peek() is None or self._take()[0] != "close":
                raise QueryError("unbalanced_bracket", token="(")
            return inner
        if kind == "close":
            raise QueryError("unbalanced_bracket", token=")")
        if kind in ("or", "near"):
            raise QueryError("dangling")
        if kind == "word":
            value = self._alias_run(value)
            kind = "phrase" if " " in value else kind
        left = self._atom(kind, value)
        lexeme = self.peek()
        if lexeme is None or lexeme[0] != "near":
            return left
        distance = int(self._take()[1])
        if not 1 <= distance <= MAX_NEAR:
            raise QueryError("near_distance", limit=MAX_NEAR)
        right_lexeme = self._take()
        if right_lexeme[0] not in ("word", "phrase", "field", "eq"):
            raise QueryError("near_terms")
        right = self._atom(*right_lexeme)
        if not isinstance(left, AnyOf) or not isinstance(right, AnyOf):
            raise QueryError("near_terms")
        return Near(left, right, distance)

    def _alias_run(self, first: str) -> str:
        """Bare words that together spell an alias name ("Korea Utara") become that phrase."""
        run = [first]
        for kind, value in self._lexemes[self._position : self._position + MAX_ALIAS_WORDS - 1]:
            if kind != "word":
                break
            run.append(value)
        for size in range(len(run), 1, -1):
            key = self._key(self._tokens(" ".join(run[:size])))
            if key in self._aliases:
                self._position += size - 1
                return " ".join(run[:size])
        return first

    def _atom(self, kind: str, value: str) -> Node:
        field = None
        if kind == "field":
            field = FIELDS.get(value.lower())
            if field is None:
                raise QueryError("unknown_field", field=value)
            kind, value = self._take()
        literal = kind == "eq"
        if literal:
            kind, value = self._take()
        if kind not in ("word", "phrase"):
            raise QueryError("near_terms" if kind == "near" else "dangling")
        tokens = self._tokens(value)
        if not tokens:
            raise QueryError("no_words", term=value)
        self.term_count += 1
        typed = _quoted(" ".join(value.split()))
        if field == "source":
            plain = tuple(t.casefold() for t in words(value))
            return Source(plain, " ".join(value.split()))
        title_only = field == "title"
        shown = ("title:" if title_only else "") + ("=" if literal else "") + typed
        own = Term(tokens, title_only, typed)
        if literal:
            return AnyOf((own,), shown)
        equivalents = self._aliases.get(self._key(tokens), ())
        if not equivalents:
            return AnyOf((own,), shown)
        unique: dict[tuple[str, ...], Term] = {}
        typed_key = tuple(t.casefold() for t in words(value))
        own_name = next((a for a in equivalents if _same_key(a, typed_key)), None)
        if own_name is not None:
            own = Term(self._tokens(own_name), title_only, _quoted(own_name))
        unique[own.tokens] = replace(own, sense=self._sense(own.tokens))
        for alias in equivalents:
            alias_tokens = self._tokens(alias)
            if alias_tokens not in unique:
                unique[alias_tokens] = Term(
                    alias_tokens, title_only, _quoted(alias), self._sense(alias_tokens)
                )
        ordered = list(unique.values())
        own_form = ordered[0]
        shown = ("title:" if title_only else "") + own_form.typed
        return AnyOf(tuple(ordered), shown)


def _same_key(name: str, key: tuple[str, ...]) -> bool:
    """Does an alias name spell these casefolded tokens (before canonical spelling)?"""
    return tuple(t.casefold() for t in words(name)) == key
