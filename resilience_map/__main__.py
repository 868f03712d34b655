"""Allow ``python -m resilience_map``."""

from resilience_map.cli import main

raise SystemExit(main())
