"""The optional Quarto engine: ``kit render REPORT --engine quarto``.

Quarto is not a dependency: when the ``quarto`` command is on PATH the kit calls
``quarto render`` by subprocess with the report's parameters (``-P name:value``); when it is
not, the user gets a message saying how to install it. The default engine (papermill +
nbconvert + WeasyPrint) never depends on it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from kit.errors import RenderError, SetupError

INSTALL_HINT = (
    "Quarto is not installed (no `quarto` command on PATH). Install it from "
    "quarto.org (Get Started: a .deb, .pkg or .msi installer, or a tarball whose bin/ "
    "folder you add to PATH), then run the command again. The default engine needs "
    "nothing extra: leave out --engine quarto."
)


def _param_value(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ",".join(str(v) for v in value) + "]"
    return str(value)


def quarto_command(
    notebook: Path,
    parameters: dict,
    out_dir: Path,
    fmt: str = "html",
    quarto: str = "quarto",
) -> list[str]:
    """The ``quarto render`` command line for one report (parameters as ``-P key:value``)."""
    if fmt not in ("html", "pdf"):
        raise RenderError(f"The Quarto engine writes html or pdf, not {fmt!r}.")
    cmd = [quarto, "render", str(notebook), "--to", fmt, "--execute", "--output-dir", str(out_dir)]
    for key, value in sorted(parameters.items()):
        cmd += ["-P", f"{key}:{_param_value(value)}"]
    return cmd


def render_with_quarto(
    notebook: Path,
    parameters: dict,
    out_dir: Path,
    formats: tuple[str, ...] = ("html",),
    timeout: int = 1800,
) -> dict[str, Path]:
    """Render with Quarto; raise :class:`RenderError` with install help when it is missing."""
    quarto = shutil.which("quarto")
    if quarto is None:
        raise SetupError(INSTALL_HINT)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for fmt in formats:
        cmd = quarto_command(notebook, parameters, out_dir, fmt, quarto=quarto)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise RenderError(f"quarto render failed (exit {proc.returncode}): " + " | ".join(tail))
        written[fmt] = out_dir / f"{notebook.stem}.{fmt}"
    return written
