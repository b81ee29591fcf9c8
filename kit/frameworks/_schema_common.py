"""Shared pieces of the state rule-system sections (``msip``, ``pbmas``) of a framework file.

Base models, exact one-decimal numbers ("tenths") and the error report that names every
bad key at once. Kept apart from :mod:`kit.frameworks.loader` so that the loader only needs
an additive hook (:func:`kit.frameworks.schema_states.check_state_sections`).
"""

from __future__ import annotations

import types
import typing
from decimal import Decimal, InvalidOperation
from typing import Annotated, Union

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from kit.errors import FrameworkError


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Strict):
    """A rule or table with its provenance. ``verified: false`` must say what is unknown."""

    source: str = ""
    verified: bool = True
    note: str | None = None

    @model_validator(mode="after")
    def _unverified_says_why(self):
        if not self.verified and not (self.note or "").strip():
            raise KeyedProblems([(".note", "verified: false needs a note saying what is unknown")])
        return self


class KeyedProblems(ValueError):
    """Cross-reference problems found after the fields parsed: (key suffix, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{k}: {m}" for k, m in problems))
        self.problems = problems


class FrameworkProblems(FrameworkError):
    """Several problems in one framework section, each with its key (``problems``)."""

    def __init__(self, message: str, *, problems: list[tuple[str, str]], fix: str | None = None):
        super().__init__(message, key=problems[0][0] if problems else None, fix=fix)
        self.problems = problems
        self.keys = [k for k, _ in problems]


# --- exact one-decimal numbers --------------------------------------------------------------


def to_tenths(value: float | int | str | Decimal) -> int:
    """An exact number of tenths: ``70`` -> 700, ``8.5`` -> 85; more decimals are an error.

    Framework YAML gives cut points as decimal text (``70.0``); reading them through
    ``Decimal(str(x))`` keeps 10.1 as 101 tenths, where ``10.1 * 10`` in binary floating
    point is 100.99999999999999.
    """
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    t = d * 10
    if t != t.to_integral_value():
        raise ValueError(f"{value} has more than one decimal; cut points are published to 0.1")
    return int(t)


def tenths_text(t: int | None) -> str:
    """700 -> '70.0'; None -> ''."""
    if t is None:
        return ""
    sign = "-" if t < 0 else ""
    q, r = divmod(abs(int(t)), 10)
    return f"{sign}{q}.{r}"


# --- error reporting: every problem, each with its key ------------------------------------------


def _unwrap(tp):
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    tp = root
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            if field is None:
                return None
            tp = field.annotation
        elif origin in (list, tuple) and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def key_text(prefix: str, loc: tuple) -> str:
    """('indicators', 3, 'cut') -> 'pbmas.indicators[3].cut'."""
    out = prefix
    for i, part in enumerate(loc):
        if part == "ALL" and i > 0 and loc[i - 1] in ("cut", "ranges"):
            continue  # a bare number / range table is stored under ALL; name the key itself
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}"
    return out


def problems_of(exc: ValidationError, prefix: str, root: type[BaseModel]) -> list[tuple[str, str]]:
    """Every error pydantic collected, as (key, message) with the allowed keys or values."""
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        ctx = err.get("ctx") or {}
        inner = ctx.get("error")
        if isinstance(inner, KeyedProblems):
            for suffix, msg in inner.problems:
                out.append((key_text(prefix, loc) + suffix, msg))
            continue
        msg = err["msg"].removeprefix("Value error, ").rstrip(".")
        if err["type"] == "extra_forbidden":
            model = _model_at(root, loc[:-1])
            if model is not None:
                msg += f". Allowed keys: {', '.join(sorted(model.model_fields))}"
        out.append((key_text(prefix, loc), msg))
    return out


def validate_section(model: type[BaseModel], data: object, prefix: str, origin: str):
    """Validate one section; raise :class:`FrameworkProblems` listing every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_of(exc, prefix, model)
    lines = "\n".join(f"  - {k}: {m}" for k, m in problems)
    n = len(problems)
    raise FrameworkProblems(
        f"Framework {origin}: {n} problem{'s' if n != 1 else ''} in the {prefix} section:\n{lines}",
        problems=problems,
        fix=f"Every {prefix} key is explained in docs/accountability.md; compare with the "
        f"shipped {'mo_msip5' if prefix == 'msip' else 'tx_pbmas'}.yaml.",
    )
