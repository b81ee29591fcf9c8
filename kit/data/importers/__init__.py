"""Importers: files in a state's (or a teacher's) own layout -> the kit's input tables.

One function, :func:`import_files`, and a registry of sources (:data:`SOURCES`), so that a
new state is one module and one entry::

    from kit.data.importers import import_files
    result = import_files("ma-mcas", ["mcas ... 2022.csv"], "data/ma")
    result.files      # rows read / imported / rejected per file

``kit import SOURCE FILES... --out DIR`` is a thin wrapper over it. Every row an importer
cannot read goes to ``DIR/rejected/<table>.csv`` with ``source_file, source_row, column,
value, rule, message`` (as ``kit validate`` writes them); a file whose layout a source does
not know stops the import with one paragraph naming the layouts it knows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kit.data.importers._common import FileSummary, ImportResult, Layout
from kit.errors import DataError, KitError

__all__ = ["SOURCES", "FileSummary", "ImportResult", "Source", "import_files"]


@dataclass(frozen=True)
class Source:
    """An importer: its id, what it reads, its layouts and the options it takes."""

    id: str
    description: str
    writes: tuple[str, ...]
    layouts: tuple[Layout, ...]
    options: tuple[str, ...]
    run: Callable[..., ImportResult]


def _ma_mcas(files: Sequence[Path], out_dir: Path, *, year: int | None = None) -> ImportResult:
    from kit.data.importers._aggregate import import_aggregate_files
    from kit.data.importers.ma_mcas import parse_file

    return import_aggregate_files(
        "ma-mcas", files, out_dir, lambda path: parse_file(path, year=year)
    )


def _oh_pi(files: Sequence[Path], out_dir: Path, *, year: int | None = None) -> ImportResult:
    from kit.data.importers._aggregate import import_aggregate_files
    from kit.data.importers.oh_pi import parse_file

    return import_aggregate_files("oh-pi", files, out_dir, lambda path: parse_file(path, year=year))


def _answers(files: Sequence[Path], out_dir: Path, **options) -> ImportResult:
    from kit.data.importers.answers import import_answers

    return import_answers(files, out_dir, **options)


def _sources() -> dict[str, Source]:
    from kit.data.importers import answers, ma_mcas, oh_pi

    return {
        "ma-mcas": Source(
            "ma-mcas",
            "Massachusetts DESE MCAS school and district results "
            "(Next-Generation and legacy with CPI)",
            ("aggregates",),
            tuple(ma_mcas.LAYOUTS),
            ("year",),
            _ma_mcas,
        ),
        "oh-pi": Source(
            "oh-pi",
            "Ohio report card *_Achievement_Building.xlsx (Performance Index)",
            ("aggregates",),
            tuple(oh_pi.LAYOUTS),
            ("year",),
            _oh_pi,
        ),
        "answers": Source(
            "answers",
            "a teacher's or scanner's answer sheet and its key",
            ("items", "item_responses", "students", "assessments"),
            tuple(answers.LAYOUTS),
            answers.OPTIONS,
            _answers,
        ),
    }


SOURCES: dict[str, Source] = _sources()


def import_files(
    source: str,
    files: Sequence[str | Path],
    out_dir: str | Path,
    **options,
) -> ImportResult:
    """Import ``files`` of ``source`` into the kit's input tables in ``out_dir``.

    Parameters
    ----------
    source
        ``ma-mcas`` (DESE MCAS exports -> ``aggregates.csv``), ``oh-pi`` (Ohio Performance
        Index workbooks -> ``aggregates.csv``) or ``answers`` (an answer sheet and its key ->
        ``items``, ``item_responses``, ``students``, ``assessments``).
    files
        The input files; ``ma-mcas`` and ``oh-pi`` take any number, of several years.
    out_dir
        Folder to write (created if needed). Tables of the same names are replaced, and
        ``rejected/<table>.csv`` lists the rows that could not be imported.
    **options
        Per source (:attr:`Source.options`): ``year`` (the spring year of files that do not
        state one) for ``ma-mcas`` and ``oh-pi``; for ``answers`` see
        :func:`kit.data.importers.answers.import_answers`.

    Returns
    -------
    ImportResult
        Rows read, imported and rejected per file (``read == imported + rejected``), rows
        written per table, warnings.

    Raises
    ------
    DataError
        For an unknown source, a missing or unreadable file, or a file whose layout the
        source does not know (the message names the layouts it knows).
    """
    if source not in SOURCES:
        raise DataError(
            f"No importer {source!r}. The sources are: "
            + "; ".join(f"{s.id} ({s.description})" for s in SOURCES.values())
            + ".",
            fix="Run kit import SOURCE FILES... --out DIR with one of these sources.",
        )
    spec = SOURCES[source]
    unknown = sorted(k for k, v in options.items() if k not in spec.options and v is not None)
    if unknown:
        raise KitError(
            f"The {source} importer takes no option {', '.join(unknown)}; its options are "
            f"{', '.join(spec.options) or 'none'}."
        )
    paths = [Path(f) for f in files]
    if not paths:
        raise DataError(
            f"No files given to import with {source}.",
            fix=f"kit import {source} FILE [FILE...] --out DIR",
        )
    for path in paths:
        if not path.is_file():
            raise DataError(
                f"{path} does not exist or is not a file. Check the name.", file=str(path)
            )
    names = [p.name for p in paths]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        # Rows and rejected rows name their file; two files of one name could not be told apart.
        raise DataError(
            f"Two files are named {twice[0]}: rows are traced to their file by name, so each "
            "file of one import needs its own name. Rename one (e.g. add its year) or give "
            "it only once.",
            file=twice[0],
        )
    given = {k: v for k, v in options.items() if v is not None}
    return spec.run(paths, Path(out_dir), **given)
