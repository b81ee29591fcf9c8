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


def merged_entries(previous: Sequence[dict], results: Sequence) -> list[dict]:
    """The manifest's jobs after a run: this run's ``results`` (JobResult objects) and every
    earlier entry for a report and entity this run did not touch.

    A subset batch (``--schools``, ``--reports``) or a ``kit render`` therefore adds to the
    record instead of replacing it, and a later full ``--resume`` still skips what is done.
    Entries are in a stable order: report, district, the district's own report first, entity.
    """
    from kit.report.registry import REPORTS

    done = {(r.job.report, r.job.entity_id) for r in results}
    kept = [e for e in previous if (e.get("report"), e.get("entity_id")) not in done]
    entries = [r.to_dict() for r in results] + kept
    order = {report: i for i, report in enumerate(REPORTS)}
    return sorted(
        entries,
        key=lambda e: (
            order.get(e.get("report"), len(order)),
            str(e.get("district_id")),
            e.get("entity_type") != "district",
            str(e.get("entity_id")),
        ),
    )


def write_manifest(
    out: str | Path, year: int, results: Sequence, previous: Sequence[dict] = ()
) -> tuple[Path, Path]:
    """Write ``manifest.json`` and ``index.html`` for ``results`` (JobResult objects), kept
    together with the ``previous`` entries this run did not redo (:func:`merged_entries`)."""
    root = Path(out) / str(year)
    root.mkdir(parents=True, exist_ok=True)
    entries = merged_entries(previous, results)
    counts = {s: sum(e.get("status") == s for e in entries) for s in ("ok", "skipped", "failed")}
    manifest = root / "manifest.json"
    atomic_write(
        manifest,
        json.dumps(
            {
                "kit_version": __version__,
                "year": year,
                "counts": counts,
                "jobs": entries,
            },
            indent=2,
            sort_keys=True,
        ),
    )
    index = root / "index.html"
    atomic_write(index, index_html(root, year, entries, counts))
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
    """A self-contained page listing every report of the batch (manifest entries, or
    JobResult objects)."""
    rows = []
    for r in results:
        e = r if isinstance(r, dict) else r.to_dict()
        links = " ".join(
            f'<a href="{html.escape(os.path.relpath(p, root))}">{html.escape(fmt.upper())}</a>'
            for fmt, p in sorted((e.get("files") or {}).items())
            if fmt != "ipynb"
        )
        detail = html.escape(e.get("error") or "")
        status, seconds = str(e.get("status")), float(e.get("seconds") or 0)
        rows.append(
            f"<tr class='{html.escape(status)}'><td>{html.escape(str(e.get('district_id')))}</td>"
            f"<td>{html.escape(str(e.get('name')))}</td>"
            f"<td>{html.escape(str(e.get('entity_id')))}</td>"
            f"<td>{html.escape(str(e.get('report')))}</td>"
            f"<td>{html.escape(status)}{f'<br><small>{detail}</small>' if detail else ''}</td>"
            f"<td data-sort='{seconds}'>{seconds:.1f}</td><td>{links}</td></tr>"
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
