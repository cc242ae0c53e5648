"""``python -m ui export …``: see ``ui.cli`` (``python -m ui export --help``)."""

from ui.cli import main

raise SystemExit(main())
