"""A build stopped hard leaves its DuckDB spill folder behind; the next build removes it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from kit.build import remove_stale_spill_dirs


def test_spill_folders_of_dead_builds_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = tmp_path / f"kit-duckdb-{int(gone.stdout)}"
    live = tmp_path / f"kit-duckdb-{os.getppid()}"
    mine = tmp_path / f"kit-duckdb-{os.getpid()}"
    other = tmp_path / "kit-duckdb-notes"
    for folder in (dead, live, mine, other):
        folder.mkdir()
        (folder / "spill.tmp").write_bytes(b"x" * 10)
    assert remove_stale_spill_dirs() == [str(dead)]
    assert not dead.exists() and live.exists() and mine.exists() and other.exists()
