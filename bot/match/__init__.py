"""Match: watch queries (`query`), their words (`text`), aliases, and the index that finds them.

Stage rules: pure — no I/O, no database, no Telegram. `parse_query` turns what a user typed into
a checked `Query`; `MatchIndex` compiles many watches' queries once and matches documents;
`LiveIndex` keeps it current cheaply as watches come and go; `reference.evaluate` is the slow
definition the index is tested against.
"""

from bot.match.aliases import build_table
from bot.match.index import Document, Hit, MatchIndex, QueryMatch, hosts_of, parse_watches
from bot.match.live import LiveIndex
from bot.match.query import Query, QueryError, parse_query

__all__ = [
    "Document",
    "Hit",
    "LiveIndex",
    "MatchIndex",
    "Query",
    "QueryError",
    "QueryMatch",
    "build_table",
    "hosts_of",
    "parse_query",
    "parse_watches",
]
