"""Quoting for SQL the kit assembles: the one place identifiers and literals are escaped.

Every statement built from a name or value that came from outside the code (a framework's
model or test id, a subject code from the data, a file path, an environment setting) quotes
it here, so a quote, semicolon or non-ASCII letter in it is data, never SQL. Values a query
can take as parameters (``?``) are passed as parameters instead.

A leaf module: it imports nothing of the kit, and every layer may import it.
"""

from __future__ import annotations

from os import PathLike


def ident(name: str) -> str:
    """A quoted SQL identifier (table or column name): ``a"b`` -> ``"a""b"``."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value: object) -> str:
    """A SQL literal for a str (or path), bool, int, float or None: ``it's`` -> ``'it''s'``."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, PathLike):
        value = value.__fspath__()
    return "'" + str(value).replace("'", "''") + "'"


class View(str):
    """SQL for a facts table the store keeps as a view over its other tables (a plain
    ``str`` is a table the build writes out)."""

    __slots__ = ()


def derived_view(source: str, columns: list[str], derived: dict[str, str]) -> View:
    """A :class:`View` selecting ``columns`` in order: each from ``source``, or computed by
    its expression in ``derived`` (over ``source``'s columns).

    >>> derived_view("t", ["a", "b", "d"], {"d": "a - b"})
    'SELECT "a", "b", (a - b) AS "d" FROM "t"'
    """
    cols = ", ".join(f"({derived[c]}) AS {ident(c)}" if c in derived else ident(c) for c in columns)
    return View(f"SELECT {cols} FROM {ident(source)}")


def literals(values) -> str:
    """A comma list of :func:`literal` values (for ``IN (...)``), ``NULL`` when empty."""
    return ", ".join(literal(v) for v in values) or "NULL"


__all__ = ["View", "derived_view", "ident", "literal", "literals"]
