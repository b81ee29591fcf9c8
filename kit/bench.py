"""``make bench``: time the demo generator and the facts build at state scale.

Each step runs in its own process so its peak memory (max RSS) is measured alone. Results
print as a table and are written to ``bench/results.json``; copy the figures into
``docs/performance.md`` when they change.

Usage: python -m kit.bench [--schools 1800] [--students-per-grade 40] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path


def _run(label: str, code: str) -> dict:
    """Run ``code`` in a fresh interpreter; return wall seconds and its peak RSS in MB."""
    code += "\nimport resource; print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench step {label!r} failed with status {proc.returncode}")
    lines = proc.stdout.strip().splitlines()
    peak_kb = int(lines[-1].split()[1])
    return {"step": label, "seconds": round(seconds, 1), "peak_mb": round(peak_kb / 1024),
            "output": "\n".join(lines[:-1])[-400:]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--schools", type=int, default=1800)
    ap.add_argument("--students-per-grade", type=int, default=40)
    ap.add_argument("--dir", default="bench")
    ap.add_argument("--quick", action="store_true", help="a 50-school run, for a smoke test")
    args = ap.parse_args(argv)
    if args.quick:
        args.schools = 50
    root = Path(args.dir)
    data = root / f"demo_{args.schools}x{args.students_per_grade}"
    facts = root / f"facts_{args.schools}x{args.students_per_grade}.duckdb"
    root.mkdir(parents=True, exist_ok=True)
    steps = []
    steps.append(_run(
        "demo-data (parquet)",
        "from kit.data.demo import generate_demo; "
        f"s = generate_demo({str(data)!r}, schools={args.schools}, "
        f"students_per_grade={args.students_per_grade}, fmt='parquet'); print(s.to_dict())",
    ))
    steps.append(_run(
        "build (validate + facts)",
        "from kit.build import build_facts; "
        f"r = build_facts({str(data)!r}, {str(facts)!r}); print(r.to_dict())",
    ))
    result = {"schools": args.schools, "students_per_grade": args.students_per_grade,
              "cpus": os.cpu_count(), "python": sys.version.split()[0], "steps": steps}
    (root / "results.json").write_text(json.dumps(result, indent=2))
    print(f"{'step':28} {'seconds':>8} {'peak MB':>8}")
    for s in steps:
        print(f"{s['step']:28} {s['seconds']:>8} {s['peak_mb'] or '-':>8}")
    print(f"(schools={args.schools}, students per grade={args.students_per_grade}; "
          f"details in {root / 'results.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
