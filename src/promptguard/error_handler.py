"""The one place that turns exceptions into messages and exit codes.

Exit codes: 2 for problems the user can fix (bad config, rule pack or
input), 3 for our own bugs, 130 for ^C. An internal error prints the
exception type and where it happened but never its message or locals,
because those could hold the text being scanned.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

from promptguard.errors import PromptguardError

EXIT_USAGE = 2
EXIT_INTERNAL = 3


def _where(exc: BaseException) -> str:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    return "\n".join(f"  {fr.filename}:{fr.lineno} in {fr.name}" for fr in frames[-6:])


def run(fn: Callable[[], int]) -> int:
    try:
        return fn()
    except PromptguardError as e:
        print(f"promptguard: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("promptguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `promptguard scan ... | head` closing the pipe is not a failure.
        sys.stderr.close()
        return 0
    except Exception as e:
        print(
            f"promptguard: internal error ({type(e).__name__}); please report it with this trace:\n"
            f"{_where(e)}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
