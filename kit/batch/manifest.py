"""The batch's record: ``manifest.json`` (every job, for machines) and ``index.html`` (people).

Both are written atomically into ``OUT/<year>/``; the index is one self-contained page
(no network requests) that lists every report with its status and links, sortable by
any column and filterable as you type.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Sequence
from pathlib import Path

from kit._files import atomic_write
from kit._version import __version__


def read_manifest(out: str | Path, year: int) -> list[dict]:
    """The jobs of the last run's manifest (empty when there is none or it is unreadable)."""
    path = Path(out) / str(year) / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("jobs", [])
    except (OSError, ValueError):
        return []


def write_manifest(out: str | Path, year: int, results: Sequence) -> tuple[Path, Path]:
    """Write ``manifest.json`` and ``index.html`` for ``results`` (JobResult objects)."""
    root = Path(out) / str(year)
    root.mkdir(parents=True, exist_ok=True)
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")}
    manifest = root / "manifest.json"
    atomic_write(
        manifest,
        json.dumps(
            {
                "kit_version": __version__,
                "year": year,
                "counts": counts,
                "jobs": [r.to_dict() for r in results],
            },
            indent=2,
            sort_keys=True,
        ),
    )
    index = root / "index.html"
    atomic_write(index, index_html(root, year, results, counts))
    return manifest, index


_SCRIPT = """
document.querySelectorAll('th button').forEach((b, col) => b.addEventListener('click', () => {
  const body = document.querySelector('tbody');
  const asc = b.dataset.dir !== 'asc';
  document.querySelectorAll('th button').forEach(x => { delete x.dataset.dir;
    x.closest('th').removeAttribute('aria-sort'); });
  b.dataset.dir = asc ? 'asc' : 'desc';
  b.closest('th').setAttribute('aria-sort', asc ? 'ascending' : 'descending');
  const key = r => r.children[col].dataset.sort ?? r.children[col].textContent;
  const rows = [...body.rows].sort((a, c) => {
    const x = key(a), y = key(c), nx = parseFloat(x), ny = parseFloat(y);
    const d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
    return asc ? d : -d; });
  rows.forEach(r => body.appendChild(r));
}));
document.getElementById('filter').addEventListener('input', e => {
  const q = e.target.value.toLowerCase();
  let shown = 0;
  document.querySelectorAll('tbody tr').forEach(r => {
    const hit = r.textContent.toLowerCase().includes(q); r.hidden = !hit; shown += hit; });
  document.getElementById('shown').textContent = shown;
});
"""


def index_html(root: Path, year: int, results: Sequence, counts: dict) -> str:
    """A self-contained page listing every report of the batch."""
    rows = []
    for r in results:
        links = " ".join(
            f'<a href="{html.escape(os.path.relpath(p, root))}">{html.escape(fmt.upper())}</a>'
            for fmt, p in sorted(r.files.items())
            if fmt != "ipynb"
        )
        detail = html.escape(r.error or "")
        rows.append(
            f"<tr class='{r.status}'><td>{html.escape(r.job.district_id)}</td>"
            f"<td>{html.escape(r.job.name)}</td><td>{html.escape(r.job.entity_id)}</td>"
            f"<td>{html.escape(r.job.report)}</td>"
            f"<td>{html.escape(r.status)}{f'<br><small>{detail}</small>' if detail else ''}</td>"
            f"<td data-sort='{r.seconds}'>{r.seconds:.1f}</td><td>{links}</td></tr>"
        )
    head = "".join(
        f'<th scope="col"><button type="button">{h}</button></th>'
        for h in ("District", "School", "Id", "Report", "Status", "Seconds", "Files")
    )
    summary = (
        f"{len(results)} reports: {counts['ok']} rendered, {counts['skipped']} unchanged "
        f"(skipped), {counts['failed']} failed."
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reports {year}</title>
<style>
body{{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1a1a1a;max-width:72em;margin:2em auto;padding:0 1em;line-height:1.4}}
h1{{color:#1f4e79;margin-bottom:.2em}} table{{border-collapse:collapse;width:100%;font-size:.92em}}
caption{{text-align:left;font-weight:600;padding-bottom:.4em}}
th,td{{text-align:left;padding:.35em .6em;border-bottom:1px solid #ddd;vertical-align:top}}
th button{{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:#1a1a1a}}
th button::after{{content:" \\2195";color:#6b6b6b}} tr.failed td{{background:#fdf1e7}}
tr.failed td:nth-child(5){{color:#8a3f0f;font-weight:600}} small{{font-weight:normal;color:#444}}
input{{font:inherit;padding:.35em .5em;width:22em;max-width:100%;border:1px solid #888;border-radius:3px}}
a{{color:#1f4e79}}
</style></head>
<body><h1>Reports for {year}</h1>
<p>{summary}</p>
<p><label for="filter">Filter</label> <input id="filter" type="search"
 placeholder="school, district, report or status"> <span><span id="shown">{len(results)}</span> shown</span></p>
<table><caption>Every report of {year}, one row each: sort by a column, filter above</caption>
<thead><tr>{head}</tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table>
<script>{_SCRIPT}</script>
</body></html>
"""
