"""Match: watch queries (`query`), their words (`text`), aliases, and the index that finds them.

Stage rules: pure — no I/O, no database, no Telegram. `build_table` joins alias groups and
context rules (`ContextRules.from_tables`: the file's tables plus any added later) into a
`Lexicon`; `parse_query` turns what a user typed into a checked `Query`; `explain` says in the
user's language how it is understood; `MatchIndex` compiles many watches' queries once and
matches documents, `QueryMatch.occurrences()` says where each term stood; `LiveIndex` keeps it
current cheaply as watches come and go; `reference.evaluate` is the slow definition the index
is tested against.
"""

from bot.match.aliases import build_table
from bot.match.context import ContextRules, Lexicon, RuleError
from bot.match.explain import explain
from bot.match.index import Document, MatchIndex, QueryMatch, hosts_of, parse_watches
from bot.match.live import LiveIndex
from bot.match.query import Query, QueryError, parse_query
from bot.match.spots import Hit, Occurrence

__all__ = [
    "ContextRules",
    "Document",
    "Hit",
    "Lexicon",
    "LiveIndex",
    "MatchIndex",
    "Occurrence",
    "Query",
    "QueryError",
    "QueryMatch",
    "RuleError",
    "build_table",
    "explain",
    "hosts_of",
    "parse_query",
    "parse_watches",
]
