"""Reading a rendered report as a reader would: its visible text, its PDF's text, and what a
screen reader says of each chart; and the provenance of a test report. Shared by the report
tests (imported as ``_pages``)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

from kit.report.export import ReportMeta


def make_meta(**changes) -> ReportMeta:
    """A test report's provenance (a subgroups report of school S01, 2024), with changes."""
    fields = dict(
        report="subgroups",
        title="Student group results",
        school="Lincoln Elementary",
        district="Springfield Public Schools",
        year=2024,
        framework="Massachusetts",
        kit_version="0.1.0",
        data_hash="3f9a1c2b7d4e5f60718293a4b5c6d7e8",
        parameters={"entity_id": "S01", "year": 2024},
        run_date="2025-01-15",
    )
    return ReportMeta(**{**fields, **changes})


def page_text(page: str) -> str:
    """The visible text of an HTML page (or fragment), whitespace collapsed."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def pdf_text(path) -> str | None:
    """The text of a PDF (pdftotext), whitespace collapsed; None without poppler-utils."""
    if not shutil.which("pdftotext"):
        return None
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", out.replace("\u00ad", "")).strip()


def chart_texts(page: str) -> list[str]:
    """Each chart's name (its alt, the title) and description (aria-describedby), joined:
    what a screen reader says of it."""
    out = []
    for img in re.findall(r"<img [^>]*>", page):
        alt = html.unescape(re.search(r'alt="([^"]*)"', img).group(1))
        ref = re.search(r'aria-describedby="([^"]*)"', img)
        desc = ""
        if ref:
            m = re.search(rf'id="{ref.group(1)}"[^>]*>(.*?)</p>', page, re.S)
            desc = html.unescape(m.group(1)) if m else ""
        out.append(f"{alt}. {desc}" if desc else alt)
    return out
