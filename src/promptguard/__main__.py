from __future__ import annotations

from promptguard.cli import main

raise SystemExit(main())
