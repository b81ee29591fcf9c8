"""Reading the SVG charts (kit/charts/svg.py) in tests: markers, bars and legend entries."""

from __future__ import annotations

import re
from xml.etree import ElementTree

NS = "{http://www.w3.org/2000/svg}"


def root(svg: str):
    return ElementTree.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in root(svg).iter(f"{NS}text")]


def centre(el) -> tuple[float, float]:
    """The centre of a marker (circle or polygon) in points."""
    if el.tag == f"{NS}circle":
        return float(el.get("cx")), float(el.get("cy"))
    pts = [tuple(map(float, p.split(","))) for p in el.get("points").split()]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


def points(svg: str) -> list[tuple[str, float, float]]:
    """Every data marker (``class="point"``): (fill, x, y)."""
    out = []
    for el in root(svg).iter():
        if el.get("class") == "point":
            out.append((el.get("fill"), *centre(el)))
    return out


def legend(svg: str) -> dict[str, str]:
    """Legend label -> the colour of its swatch or marker (a hatch pattern: its colour)."""
    fills = dict(re.findall(r'<pattern id="([^"]+)"[^>]*><rect [^>]*fill="([^"]+)"', svg))
    out = {}
    for fill, label in re.findall(
        r'<(?:rect|circle|polygon) [^>]*fill="([^"]+)"/><text [^>]*>([^<]+)</text>', svg
    ):
        m = re.fullmatch(r"url\(#(.+)\)", fill)
        out[label] = (fills[m.group(1)] if m else fill).upper()
    return out
