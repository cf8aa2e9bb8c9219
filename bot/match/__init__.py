"""Match: watch queries (`query`), their words (`text`), aliases, and the index that finds them.

Stage rules: pure — no I/O, no database, no Telegram. `parse_query` turns what a user typed into
a checked `Query`; `MatchIndex` compiles many watches' queries once and matches documents;
`reference.evaluate` is the slow definition the index is tested against.
"""

from bot.match.aliases import build_table, read_alias_file
from bot.match.index import Document, Hit, MatchIndex, WatchMatch, compile_watches
from bot.match.query import Query, QueryError, parse_query

__all__ = [
    "Document",
    "Hit",
    "MatchIndex",
    "Query",
    "QueryError",
    "WatchMatch",
    "build_table",
    "compile_watches",
    "parse_query",
    "read_alias_file",
]
