"""``python -m cevns_widgets``: the ``cevns`` command line."""

from .cli import main

raise SystemExit(main())
