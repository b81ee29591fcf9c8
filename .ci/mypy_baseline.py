"""A shrinking baseline for mypy (make lint): no new type error, and none fixed silently.

``mypy kit`` reported 199 errors when the type check joined CI; fixing them all at once
was not the step's work, so they are recorded in ``.ci/mypy-baseline.txt`` as
``path: message [code]`` lines (no line numbers, so unrelated edits do not disturb them).
This script fails when mypy reports an error the baseline does not hold (fix it: it is
new) or when the baseline holds one mypy no longer reports (run ``make mypy-baseline``
so the baseline shrinks with the fix). Usage:

    python .ci/mypy_baseline.py          # check (make lint)
    python .ci/mypy_baseline.py --write  # record the current errors (make mypy-baseline)
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

BASELINE = Path(__file__).with_name("mypy-baseline.txt")
LINE = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")


def current() -> Counter[str]:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "kit"], capture_output=True, text=True, check=False
    )
    if run.returncode not in (0, 1):
        sys.exit(f"mypy failed to run:\n{run.stdout}{run.stderr}")
    errors: Counter[str] = Counter()
    for line in run.stdout.splitlines():
        m = LINE.match(line)
        if m:
            errors[f"{m['path']}: {m['message']}"] += 1
    return errors


def main() -> int:
    errors = current()
    if "--write" in sys.argv:
        BASELINE.write_text("".join(f"{e}\n" for e in sorted(errors.elements())))
        print(f"mypy baseline: {sum(errors.values())} errors recorded in {BASELINE}")
        return 0
    known = Counter(BASELINE.read_text().splitlines()) if BASELINE.exists() else Counter()
    new, fixed = errors - known, known - errors
    for e in sorted(new.elements()):
        print(f"new type error: {e}")
    if new:
        print(f"{sum(new.values())} new mypy errors (run `mypy kit` for line numbers): fix them")
    if fixed:
        print(
            f"{sum(fixed.values())} errors of the baseline are fixed: "
            "run `make mypy-baseline` to shrink it"
        )
    if not new and not fixed:
        print(f"mypy: {sum(errors.values())} errors, all in the baseline (it may only shrink)")
    return 1 if new or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
