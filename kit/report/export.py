"""Export an executed report notebook to a self-contained HTML page and a paged PDF.

The HTML comes from nbconvert with the kit's own template (``templates/kit``): outputs and
markdown only, CSS inlined, images as data URIs, no scripts and no network requests. The
PDF is that same HTML laid out by WeasyPrint with ``print.css`` (Letter, running header,
"Page X of Y"). Both are written atomically, so a reader or a resumed batch never sees a
half-written report.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import nbformat

from kit._files import atomic_write
from kit.errors import RenderError
from kit.report._page import PRIORITY, add_contents, element_id, prepare, table_width_class

__all__ = [
    "ReportMeta",
    "export_notebook",
    "font_configuration",
    "html_to_pdf",
    "notebook_to_html",
    "pdf_bytes",
    "safe_name",
]

#: Formats :func:`export_notebook` can write, by file suffix.
FORMATS = ("html", "pdf", "ipynb")

# The nbconvert template and the CSS ship in the package (read with importlib.resources).
_HERE = resources.files("kit.report")
_TEMPLATES = _HERE / "templates"
_WINDOWS_DEVICES = {
    *"CON PRN AUX NUL".split(),
    *(f"{p}{i}" for p in ("COM", "LPT") for i in range(10)),
}


@dataclass(frozen=True)
class ReportMeta:
    """What a report page says about itself: title block, running header and provenance.

    Parameters
    ----------
    report : str
        Report id, e.g. ``"subgroups"``.
    title : str
        Report title shown to readers, e.g. ``"Student group results"``.
    school, district : str or None
        Display names. They may contain any character; the page escapes them.
    year : int
        School year of the results.
    framework : str
        Framework id or name, e.g. ``"ma"``.
    kit_version : str
        Version of the kit that computed the figures.
    data_hash : str
        Hash of the facts store or inputs; the footer shows its first 12 characters.
    parameters : dict
        The notebook's parameters, listed in the provenance footer.
    run_date : str
        ISO date (or date-time) of the run: the only field expected to differ between two
        runs on the same inputs.
    """

    report: str
    title: str
    school: str | None
    district: str | None
    year: int
    framework: str
    kit_version: str
    data_hash: str
    parameters: dict
    run_date: str

    def __post_init__(self) -> None:
        if type(self.year) is not int:
            raise RenderError(f"ReportMeta.year must be an int, got {self.year!r}")
        for name in ("report", "title", "framework", "kit_version", "data_hash", "run_date"):
            if not (isinstance(getattr(self, name), str) and getattr(self, name)):
                raise RenderError(f"ReportMeta.{name} must be a non-empty string")
        try:
            datetime.fromisoformat(self.run_date)
        except ValueError:
            raise RenderError(
                f"ReportMeta.run_date is not an ISO date: {self.run_date!r}",
                fix="Pass e.g. datetime.date.today().isoformat().",
            ) from None

    @property
    def entity(self) -> str:
        """The school name, else the district name, else an empty string."""
        return self.school or self.district or ""

    @property
    def page_title(self) -> str:
        """``"Report title — School (Year)"``, the HTML ``<title>``."""
        where = f" — {self.entity}" if self.entity else ""
        return f"{self.title}{where} ({self.year})"

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict (parameters copied), e.g. for a manifest."""
        return asdict(self)


def safe_name(s: str) -> str:
    """Return a file or folder name built from an id; the only place such names are made.

    Accents are dropped (``"École"`` → ``"Ecole"``), every character outside
    ``[A-Za-z0-9._-]`` becomes ``"_"``, leading and trailing dots become ``"_"`` (so the
    result is never ``"."``, ``".."`` or hidden), Windows device names get a ``"_"``
    prefix, and names over 120 characters are cut and suffixed with a hash of the input.

    Parameters
    ----------
    s : str
        Any id or label, e.g. a school id or a report name.

    Returns
    -------
    str
        A non-empty name with no path separator, the same for the same input.

    Notes
    -----
    Distinct ids can map to the same name (``"a/b"`` and ``"a_b"``); callers that
    write many entities side by side should check for collisions.
    """
    text = "".join(c for c in unicodedata.normalize("NFKD", str(s)) if not unicodedata.combining(c))
    name = re.sub(r"[^A-Za-z0-9._-]", "_", text)
    name = re.sub(r"^\.+|\.+$", lambda m: "_" * len(m.group()), name) or "_"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        name = "_" + name
    if len(name) > 120:
        name = (
            name[:107]
            + "-"
            + hashlib.sha256(str(s).encode("utf-8", "surrogatepass")).hexdigest()[:12]
        )
    return name


def notebook_to_html(nb: nbformat.NotebookNode, meta: ReportMeta) -> str:
    """Render an executed notebook as a self-contained report page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (v4). It is not modified.
    meta : ReportMeta
        Title block, running header and provenance footer.

    Returns
    -------
    str
        A complete HTML document with no code, prompts, stderr or external requests; the
        same notebook and meta always give the same bytes.

    Raises
    ------
    RenderError
        If a cell holds an error output (the report would show a traceback) or nbconvert
        fails.
    """
    prepared = prepare(nb)
    exporter = _html_exporter()
    resources = {"kit": _template_context(meta), "metadata": {"name": meta.report}}
    try:
        body, _ = exporter.from_notebook_node(prepared, resources=resources)
    except Exception as exc:  # nbconvert and jinja raise many types
        raise RenderError(f"Could not convert the notebook to HTML: {exc}") from exc
    return add_contents(body)


@lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process: its compiled templates serve every report of a batch."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config({"NbConvertBase": {"display_data_priority": PRIORITY}})
    exporter = HTMLExporter(
        config=config,
        extra_template_basedirs=[str(_TEMPLATES)],
        template_name="kit",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_output_stdin=True,
        exclude_anchor_links=True,
        embed_images=True,
    )
    exporter.register_filter("kit_table_width", table_width_class)
    exporter.register_filter("kit_id", element_id)
    return exporter


def html_to_pdf(html: str, out: Path, *, base_url: str | None = None) -> Path:
    """Lay out a report page as a Letter-size PDF with WeasyPrint.

    Parameters
    ----------
    html : str
        A page from :func:`notebook_to_html`. Other HTML gets the kit's print CSS added.
    out : Path
        Where to write the PDF; written atomically (temporary file, then rename).
    base_url : str, optional
        Base for relative URLs. Only ``file:`` and ``data:`` URLs are ever fetched.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    RenderError
        If WeasyPrint fails or the file cannot be written.
    """
    out = Path(out)
    _atomic_write(out, pdf_bytes(html, base_url=base_url or str(out.parent), name=out.name))
    return out


def pdf_bytes(html: str, *, base_url: str, name: str = "report.pdf") -> bytes:
    """The PDF of a report page (:func:`html_to_pdf` without the file)."""
    import weasyprint

    from kit.report import _linecache, _svgtext

    _svgtext.install()
    _linecache.install()
    font_config = font_configuration()
    stylesheets = [] if 'id="kit-print-css"' in html else [_foreign_print_css(font_config)]
    fetcher = _local_fetcher(weasyprint)
    try:
        with _quiet_weasyprint(), _young_garbage_only():
            # No name holds the parsed page: it is garbage by the collection at the end.
            return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
                stylesheets=stylesheets, font_config=font_config
            )
    except Exception as exc:  # WeasyPrint raises many types
        raise RenderError(f"Could not lay out the PDF {name}: {exc}") from exc


_FONTS = threading.local()


def font_configuration() -> Any:
    """The WeasyPrint ``FontConfiguration`` this thread's PDFs share.

    WeasyPrint makes a new one for each document unless it is given one, and with it a new
    Pango font map: every report then finds and loads its fonts again. One per thread
    (a Pango font map is not shared between threads) keeps them loaded across the reports
    of a warm worker. The kit's pages declare no ``@font-face``, so the configuration
    holds system fonts only and no report's fonts leak into another's.
    """
    fonts = getattr(_FONTS, "config", None)
    if fonts is None:
        from weasyprint.text.fonts import FontConfiguration

        fonts = _FONTS.config = FontConfiguration()
    return fonts


def _foreign_print_css(font_config: Any) -> Any:
    """print.css parsed for a page that does not embed it (parsed once per thread)."""
    sheet = getattr(_FONTS, "print_css", None)
    if sheet is None:
        import weasyprint

        sheet = _FONTS.print_css = weasyprint.CSS(
            string=_read_css("print.css"), font_config=font_config
        )
    return sheet


def export_notebook(
    nb_or_path: nbformat.NotebookNode | str | os.PathLike,
    meta: ReportMeta,
    out_dir: Path,
    formats: Iterable[str] = ("html", "pdf"),
    stem: str | None = None,
) -> dict[str, Path]:
    """Write a report in each requested format to ``out_dir/<stem>.<format>``.

    Parameters
    ----------
    nb_or_path : NotebookNode or path
        An executed notebook, or the path of one.
    meta : ReportMeta
        Title block, running header and provenance footer.
    out_dir : Path
        Folder to write into; created if missing.
    formats : iterable of str
        Any of ``"html"``, ``"pdf"`` and ``"ipynb"``.
    stem : str, optional
        File name without suffix; default ``meta.report``. Passed through :func:`safe_name`.

    Returns
    -------
    dict of str to Path
        The file written for each format, in the order asked.

    Raises
    ------
    RenderError
        If a format is unknown, the notebook cannot be read or converted, or a file
        cannot be written. Files are replaced atomically, so an earlier good copy
        survives a failure.
    """
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise RenderError(
            f"Unknown export format(s) {unknown or formats}",
            fix=f"Use some of {', '.join(FORMATS)}.",
        )
    nb = _read_notebook(nb_or_path)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"Cannot create the output folder {out_dir}: {exc}") from exc
    name = safe_name(stem if stem is not None else meta.report)
    html = notebook_to_html(nb, meta) if {"html", "pdf"} & set(formats) else ""
    # Every file is made in memory first and they land together, in a moment no stop signal
    # interrupts: a batch stopped while the PDF is laid out leaves no HTML without its PDF.
    payloads: dict[str, bytes] = {}
    for fmt in formats:
        if fmt == "html":
            payloads[fmt] = html.encode("utf-8")
        elif fmt == "pdf":
            payloads[fmt] = pdf_bytes(
                html, base_url=out_dir.resolve().as_uri() + "/", name=f"{name}.pdf"
            )
        else:
            payloads[fmt] = nbformat.writes(nb).encode("utf-8")
    written = {fmt: out_dir / f"{name}.{fmt}" for fmt in formats}
    with _signals_deferred():
        for fmt, path in written.items():
            _atomic_write(path, payloads[fmt])
    return written


# ---- helpers ------------------------------------------------------------------------------


def _read_notebook(nb_or_path: nbformat.NotebookNode | str | os.PathLike) -> nbformat.NotebookNode:
    if isinstance(nb_or_path, dict):
        return nbformat.from_dict(nb_or_path)
    try:
        return nbformat.read(os.fspath(nb_or_path), as_version=4)
    except (OSError, ValueError) as exc:  # nbformat's NotJSONError is a ValueError
        raise RenderError(f"Cannot read the notebook {nb_or_path}: {exc}") from exc


def _template_context(meta: ReportMeta) -> dict[str, Any]:
    parameters = [
        (str(k), _format_parameter(v))
        for k, v in sorted(meta.parameters.items(), key=lambda kv: str(kv[0]))
    ]
    return {
        "report": meta.report,
        "title": meta.title,
        "entity": meta.entity,
        "school": meta.school,
        "district": meta.district if meta.school else None,
        "year": str(meta.year),
        "framework": meta.framework,
        "kit_version": meta.kit_version,
        "data_hash": meta.data_hash,
        "data_hash_short": meta.data_hash[:12],
        "parameters": parameters,
        "run_date": meta.run_date,
        "page_title": meta.page_title,
        "css": _read_css("report.css"),
        "print_css": _read_css("print.css"),
    }


def _format_parameter(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _read_css(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def _local_fetcher(weasyprint: Any) -> Any:
    """A WeasyPrint URL fetcher that loads ``file:`` and ``data:`` URLs and nothing else."""
    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint >= 66
        return weasyprint.URLFetcher(allowed_protocols={"file", "data"})

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith(("file:", "data:")):
            raise ValueError(f"Reports load no network resources: {url}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


@contextmanager
def _quiet_weasyprint() -> Iterator[None]:
    """Show only WeasyPrint's errors: it warns about every CSS property it ignores."""
    loggers = [logging.getLogger(n) for n in ("weasyprint", "weasyprint.progress", "fontTools")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


_GC_LOCK = threading.Lock()
_GC_STATE = {"depth": 0, "was_enabled": True}


@contextmanager
def _young_garbage_only() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while WeasyPrint lays out a PDF, then collect
    only what the layout made (the youngest generation).

    A layout allocates millions of objects, so the collector runs many times during one,
    and its full collections walk every object of the process (a batch worker's notebook
    machinery, pandas, DuckDB): about a quarter of a report's PDF time. Held, every object
    of the layout stays in the youngest generation and one collection of that generation
    at the end frees the layout's reference cycles, touching nothing older. Peak memory
    grows by one layout's garbage (about 15-30 MB for the kit's reports). Threads that lay
    out PDFs at once share the hold: the last one out restores the collector. A caller
    that disabled the collector keeps it disabled (and nothing is collected).
    """
    with _GC_LOCK:
        if _GC_STATE["depth"] == 0:
            _GC_STATE["was_enabled"] = gc.isenabled()
            gc.disable()
        _GC_STATE["depth"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["depth"] -= 1
            last = _GC_STATE["depth"] == 0
            if last and _GC_STATE["was_enabled"]:
                gc.enable()
        if last and gc.isenabled():
            gc.collect(0)


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGTERM, SIGINT and SIGUSR1 (a batch stopping) until the block is done, in the
    main thread; elsewhere (a Dask worker's thread) run the block as it is."""
    import signal
    import threading

    held = {signal.SIGTERM, signal.SIGINT, getattr(signal, "SIGUSR1", signal.SIGTERM)}
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` atomically (:func:`kit._files.atomic_write`); errors as RenderError."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise RenderError(f"Cannot write {path}: {exc}") from exc
