"""Everything that speaks python-telegram-bot: the application (`app`), the permission gate
(`permissions`), the commands and buttons (`handlers`, `admin`, `insights` for `/tren` and
`/laporan`), replies (`replies`), and the
`Sender` delivery talks to (`sender`, the only place its exceptions are classified).

`PTB_TIMEDELTA` opts into python-telegram-bot's coming `timedelta` durations now (e.g.
`RetryAfter.retry_after`), instead of a deprecation warning on every flood-control error.
"""

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")
