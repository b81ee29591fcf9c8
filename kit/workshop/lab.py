"""Where the lessons are and how JupyterLab is started on them (``kit lab``, ``make lab``).

In a checkout the lessons are ``notebooks/workshop/``; an installed kit ships them as
``kit.notebooks.workshop`` and ``kit lab`` copies them into a folder of the user's, so
that edits (answers typed in) are the user's own and never the package's.
"""

from __future__ import annotations

import os
import shutil
import sys
from importlib import resources
from pathlib import Path

LESSONS = (
    "00_inventory",
    "0B_disaggregate",
    "0C_crosstab",
    "1A_lowest_groups",
    "2A_goals",
    "3_items",
    "9_benchmarks",
    "indexes",
)
GLOSSARY = "glossary.md"


def shipped_lessons():
    """The lessons shipped in the package (a Traversable folder)."""
    return resources.files("kit.notebooks") / "workshop"


def lesson_folder(cwd: Path | None = None) -> tuple[Path, bool]:
    """The folder JupyterLab opens and whether the lessons must be copied into it first:
    ``notebooks/workshop`` of the project when it exists, else ``./workshop``."""
    cwd = cwd or Path.cwd()
    here = cwd / "notebooks" / "workshop"
    if (here / f"{LESSONS[0]}.ipynb").is_file():
        return here, False
    target = cwd / "workshop"
    return target, not (target / f"{LESSONS[0]}.ipynb").is_file()


def copy_lessons(target: Path) -> list[Path]:
    """Copy the shipped lessons and glossary into ``target``; existing files are kept."""
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    src = shipped_lessons()
    for name in [f"{x}.ipynb" for x in LESSONS] + [GLOSSARY]:
        dest = target / name
        if not dest.exists():
            with resources.as_file(src / name) as path:
                shutil.copyfile(path, dest)
            copied.append(dest)
    return copied


def lab_command(folder: Path, *, browser: bool = True, is_root: bool | None = None) -> list[str]:
    """JupyterLab from the kit's own Python, so its kernel is the kit's environment."""
    if is_root is None:
        is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}"]
    if not browser:
        cmd.append("--no-browser")
    if is_root:  # a training container or a cloud VM: JupyterLab refuses root without it
        cmd.append("--allow-root")
    return cmd
