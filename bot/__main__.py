"""`python -m bot` is the `pantau` command."""

from bot.cli import main

raise SystemExit(main())
