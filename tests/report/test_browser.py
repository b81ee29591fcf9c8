"""Open rendered reports in headless Chromium as a reader would, and hold them to WCAG 2.0 /
2.1 A and AA (issue 11, items 14 and 15).

Needs Debian's Chromium (/usr/bin/chromium, `apt-get install -y chromium`); Playwright drives
it without downloading a browser. axe-core is pinned in the repository's package.json /
package-lock.json and installed with `npm ci` when node_modules lacks it. On a machine
without Chromium (or without npm for axe) the tests are skipped with a loud reason; in CI
(CI=true, as CI services set it, or KIT_REQUIRE_BROWSER=1, set by .ci/run) a missing
browser or axe-core is a failure.
Screenshots at 1280 and 1920 px are saved in tests/artifacts/ for a person to look at.

Every report kind (subgroups, index, item analysis, district summary, schools and the
district; the MSIP 5 APR of a district and a school and the PBMAS district report, from
the state demo built under mo_msip5 and tx_pbmas) and the batch's index.html are checked:

- axe-core: no violation of a WCAG 2.0/2.1 A or AA rule, at 1280 and 1920 px;
- our own checks, for what axe does not see: every chart is an image (role img) with a
  title (its name) and a description; every data table has a caption and every header
  cell a scope; chart marks reach 3:1 and chart text 4.5:1 against what is behind them,
  computed from the colours the SVG draws; wide tables show every column, or scroll in a
  region the keyboard can reach.
"""

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = [1280, 1920]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def _required() -> bool:
    """In CI the browser tests must run: a missing browser or axe-core fails them."""
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return ci or bool(os.environ.get("KIT_REQUIRE_BROWSER"))


def _missing(what: str) -> None:
    """Skip loudly, or fail where the browser tests are required (CI)."""
    reason = f"BROWSER TESTS SKIPPED: {what}; CI installs it and runs them"
    if _required():
        pytest.fail(reason.replace("SKIPPED", "REQUIRED"), pytrace=False)
    pytest.skip(reason)


if CHROMIUM is None:
    reason = (
        "BROWSER TESTS SKIPPED: no Chromium on this machine (apt-get install -y chromium); "
        "CI installs it and runs them"
    )
    if _required():
        pytest.fail(reason.replace("SKIPPED", "REQUIRED"), pytrace=False)
    pytestmark = pytest.mark.skip(reason=reason)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's source, installed from package-lock.json (`npm ci`) when missing."""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("no npm to install the pinned axe-core (apt-get install -y npm)")
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0 or not AXE.exists():
            _missing(f"`npm ci` could not install axe-core: {done.stderr.strip()[-300:]}")
    return AXE.read_text(encoding="utf-8")


def _batch(facts_path, out, n_schools: int, reports=None):
    """The reports the store plans for its first n schools and their district (HTML)."""
    from kit.batch.plan import plan_jobs
    from kit.batch.runner import run_batch
    from kit.facts import read_facts

    with read_facts(facts_path) as f:
        ids = list(f.schools()["entity_id"])
        district = f.entity(ids[0])["district_id"]
    jobs = []
    if n_schools:
        jobs = plan_jobs(
            facts_path, out, schools=ids[:n_schools], reports=reports, formats=("html",)
        )
    every = plan_jobs(facts_path, out, district=district, reports=reports, formats=("html",))
    jobs += [j for j in every if j.entity_type == "district"]
    result = run_batch(jobs, workers=2)
    assert all(r.status == "ok" for r in result.results), result.results
    return [Path(r.files["html"]) for r in result.results], Path(result.index)


@pytest.fixture(scope="module")
def batch_index(facts_path, tmp_path_factory):
    """Two schools and the district of the Massachusetts demo, and the batch's index."""
    return _batch(facts_path, tmp_path_factory.mktemp("browser"), 2)


@pytest.fixture(scope="module")
def reports(batch_index, msip_facts_path, pbmas_facts_path, tmp_path_factory):
    """Every report kind, and the batch index last."""
    pages, index = batch_index
    msip, _ = _batch(msip_facts_path, tmp_path_factory.mktemp("browser-msip"), 1, ["msip_apr"])
    pbmas, _ = _batch(pbmas_facts_path, tmp_path_factory.mktemp("browser-pbmas"), 0, ["pbmas"])
    pages = pages + msip + pbmas
    kinds = {(p.stem, p.parent.name == "_district") for p in pages}
    assert kinds >= {
        ("subgroups", False),
        ("subgroups", True),
        ("index", False),
        ("item_analysis", False),
        ("item_analysis", True),
        ("district_summary", True),
        ("msip_apr", False),
        ("msip_apr", True),
        ("pbmas", True),
    }, kinds
    return pages + [index]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _name(path: Path) -> str:
    return f"{path.parent.parent.name}_{path.parent.name}_{path.stem}"


def _open(browser, path: Path, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page


def test_reports_read_cleanly_in_a_browser(reports, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    for path in reports:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors, requests = [], []
        page.on(
            "console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.on("request", lambda r, requests=requests: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert errors == [], f"{path}: {errors}"
        assert all(u.startswith(("file:", "data:")) for u in requests), requests
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path} overflows horizontally: {width}px"
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt'))")
        assert all(a and a.strip() for a in alts), f"{path}: an image lacks alt text"
        assert page.evaluate("document.documentElement.lang") == "en"
        headings = page.eval_on_selector_all(
            "h1, h2, h3, h4", "els => els.map(e => Number(e.tagName[1]))"
        )
        assert all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False)), headings
        page.screenshot(path=str(ARTIFACTS / f"{_name(path)}.png"), full_page=True)
        page.close()


def test_index_filters_and_sorts(batch_index, browser):
    pages, index = batch_index
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(index.as_uri())
    rows = page.locator("tbody tr")
    assert rows.count() == len(pages)
    school_name = rows.nth(1).locator("td").nth(1).inner_text()
    page.fill("#filter", school_name)
    shown = page.locator("tbody tr:not([hidden])")
    assert 1 <= shown.count() < rows.count()
    assert all(school_name in shown.nth(i).inner_text() for i in range(shown.count()))
    page.fill("#filter", "")
    page.click("th:nth-child(2) button")
    names = page.eval_on_selector_all(
        "tbody tr td:nth-child(2)", "els => els.map(e => e.textContent)"
    )
    assert names == sorted(names)
    page.close()


# --- axe-core ------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_wcag_a_or_aa_violation(reports, browser, axe_source, width):
    # Before: scrollable-region-focusable on every subgroups table (a region that scrolled
    # sideways, which a keyboard could not reach, hid "% Proficient" and "% Advanced").
    found, record = {}, {}
    for path in reports:
        page = _open(browser, path, width)
        page.add_script_tag(content=axe_source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        assert result["testEngine"]["version"], "axe-core did not run"
        assert result["passes"], f"{path}: axe checked nothing"
        bad = [
            f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']} {v['help']}"
            for v in result["violations"]
        ]
        if bad:
            found[_name(path)] = bad
        record[_name(path)] = {
            "violations": sum(len(v["nodes"]) for v in result["violations"]),
            "rules_passed": len(result["passes"]),
            "axe": result["testEngine"]["version"],
        }
        page.close()
    # What axe saw, page by page, for a person to read (tests/artifacts/axe-<width>.json).
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{width}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    assert found == {}, found


# --- our own checks ------------------------------------------------------------------------


def test_every_chart_is_an_image_with_a_title_and_a_description(reports, browser):
    charts = 0
    for path in reports:
        page = _open(browser, path)
        imgs = page.evaluate(
            """() => [...document.querySelectorAll('main img')].map(img => {
                const ids = (img.getAttribute('aria-describedby') || '').split(/\\s+/);
                const desc = ids.map(id => document.getElementById(id))
                    .filter(Boolean).map(e => e.textContent.trim()).join(' ');
                return {role: img.getAttribute('role'), alt: img.getAttribute('alt') || '',
                        desc, src: img.getAttribute('src').slice(0, 30)};
            })"""
        )
        for img in imgs:
            assert img["role"] == "img", (path, img)
            assert img["alt"].strip(), (path, img)  # the title: the image's name
            assert img["desc"].strip(), (path, img)  # what the chart shows
            assert img["desc"] != img["alt"], (path, img)
            charts += 1
        page.close()
    assert charts >= 10


def test_every_data_table_has_a_caption_and_scoped_headers(reports, browser):
    tables = 0
    for path in reports:
        page = _open(browser, path)
        found = page.evaluate(
            """() => [...document.querySelectorAll('table')].map(t => ({
                caption: t.caption ? t.caption.textContent.trim() : '',
                unscoped: [...t.querySelectorAll('th')].filter(
                    th => !['col', 'row', 'colgroup', 'rowgroup'].includes(th.getAttribute('scope'))
                ).length,
                headers: t.querySelectorAll('thead th').length,
                kit: t.classList.contains('kit-table'),
                rows: [...t.querySelectorAll('tbody tr')].filter(
                    tr => !(tr.firstElementChild && tr.firstElementChild.tagName === 'TH'
                            && tr.firstElementChild.getAttribute('scope') === 'row')).length,
            }))"""
        )
        for t in found:
            assert t["caption"], (path, t)
            assert t["unscoped"] == 0, (path, t)
            assert t["headers"] >= 2, (path, t)
            if t["kit"]:
                assert t["rows"] == 0, (path, t)  # every row is named by its first cell
            tables += 1
        page.close()
    assert tables >= 10


def _luminance(colour: str) -> float:
    h = colour.lstrip("#")
    c = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


_NAMED = {"white": "#FFFFFF", "black": "#000000"}


def _hex(colour: str | None, default: str) -> str:
    colour = (colour or default).strip()
    colour = _NAMED.get(colour.lower(), colour)
    if re.fullmatch(r"#[0-9A-Fa-f]{3}", colour):
        colour = "#" + "".join(ch * 2 for ch in colour[1:])
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", colour), colour
    return colour


def _svg_contrasts(svg: str):
    """(kind, colour, background, ratio) of every bar and every text of a chart."""
    ns = "{http://www.w3.org/2000/svg}"
    root = ElementTree.fromstring(svg)
    ink = _hex(root.get("fill"), "#000000")
    # A hatched bar is filled with a pattern: its colour is the pattern's ground (the
    # hatching is white on it).
    patterns = {p.get("id"): p.find(f"{ns}rect").get("fill") for p in root.iter(f"{ns}pattern")}
    bars = []
    for rect in root.iter(f"{ns}rect"):
        if rect.get("class") == "bar" and float(rect.get("width")) > 0:
            x, y = float(rect.get("x")), float(rect.get("y"))
            w, h = float(rect.get("width")), float(rect.get("height"))
            ref = re.fullmatch(r"url\(#(.+)\)", rect.get("fill") or "")
            fill = _hex(patterns[ref.group(1)] if ref else rect.get("fill"), ink)
            bars.append((x, y, w, h, fill))
            yield "mark", fill, "#FFFFFF", _contrast(fill, "#FFFFFF")
    for text in root.iter(f"{ns}text"):
        if not (text.text or "").strip():
            continue
        x, y = float(text.get("x")), float(text.get("y"))
        behind = "#FFFFFF"
        for bx, by, bw, bh, fill in bars:  # drawn on a bar: read against the bar
            if bx <= x <= bx + bw and by <= y <= by + bh:
                behind = fill
        colour = _hex(text.get("fill"), ink)
        yield "text", colour, behind, _contrast(colour, behind)


def test_chart_marks_reach_3_to_1_and_chart_text_4_5_to_1(reports, browser):
    checked = {"mark": 0, "text": 0}
    for path in reports:
        page = path.read_text(encoding="utf-8")
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page):
            svg = base64.b64decode(data).decode("utf-8")
            for kind, colour, behind, ratio in _svg_contrasts(svg):
                need = 3.0 if kind == "mark" else 4.5
                assert ratio >= need, (path.name, kind, colour, behind, round(ratio, 2))
                checked[kind] += 1
    assert checked["mark"] > 100 and checked["text"] > 100, checked


@pytest.mark.parametrize("width", WIDTHS)
def test_wide_tables_show_every_column_or_scroll_within_reach(reports, browser, width):
    ARTIFACTS.mkdir(exist_ok=True)
    for path in reports:
        page = _open(browser, path, width)
        tables = page.evaluate(
            """() => [...document.querySelectorAll('main table')].map(t => {
                const box = t.parentElement;
                const last = t.querySelector('thead th:last-child').getBoundingClientRect();
                return {caption: t.caption.textContent.slice(0, 50),
                        overflow: box.scrollWidth > box.clientWidth + 1,
                        focusable: box.tabIndex === 0, role: box.getAttribute('role'),
                        named: !!box.getAttribute('aria-labelledby'),
                        lastRight: last.right, boxRight: box.getBoundingClientRect().right};
            })"""
        )
        for t in tables:
            # Every column in view at 1280 and 1920 px (before: "% Proficient" and
            # "% Advanced" hid past the edge of the subgroups tables) ...
            assert not t["overflow"], (path.name, width, t)
            assert t["lastRight"] <= t["boxRight"] + 1, (path.name, width, t)
            # ... and, in a narrower window, a region the keyboard can scroll.
            assert t["focusable"] and t["role"] == "region" and t["named"], (path.name, t)
        if path.stem == "subgroups":
            page.locator("table").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"{_name(path)}_{width}.png"))
        page.close()
