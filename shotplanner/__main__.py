"""``python -m shotplanner`` is the ``shotplanner`` command."""

from shotplanner.cli import main

raise SystemExit(main())
