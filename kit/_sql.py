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


def literals(values) -> str:
    """A comma list of :func:`literal` values (for ``IN (...)``), ``NULL`` when empty."""
    return ", ".join(literal(v) for v in values) or "NULL"


__all__ = ["ident", "literal", "literals"]
