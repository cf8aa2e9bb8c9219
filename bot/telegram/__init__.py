"""Everything that speaks python-telegram-bot: the application, the handlers, the texts.

`PTB_TIMEDELTA` opts into python-telegram-bot's coming `timedelta` durations now (e.g.
`RetryAfter.retry_after`), instead of a deprecation warning on every flood-control error.
"""

import os

os.environ.setdefault("PTB_TIMEDELTA", "true")
