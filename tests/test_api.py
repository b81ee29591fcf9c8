"""The public API: ``import kit`` is light (PEP 562 lazy names), every exported name resolves,
renamed names still work with a warning, and every ``describe_*`` takes its view first."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pandas as pd
import pytest

import kit

HEAVY = ("pandas", "numpy", "duckdb", "matplotlib", "IPython", "jinja2", "pydantic")


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_import_kit_and_the_cli_load_no_heavy_library():
    # kit --version (the CLI module) took 1.4 s when kit/__init__ imported every family.
    assert _loaded_after("import kit") == []
    assert _loaded_after("import kit.cli") == []
    assert _loaded_after("import kit; kit.view_ayp") != []  # the name loads its module


def test_every_exported_name_resolves_and_is_listed_by_dir():
    for name in kit.__all__:
        assert getattr(kit, name) is not None, name
    assert set(kit.__all__) <= set(dir(kit))
    with pytest.raises(AttributeError, match="no attribute 'view_nothing'"):
        kit.view_nothing  # noqa: B018


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("ayp_rules", "view_ayp_rules"),
        ("goal_trajectory", "view_goal_trajectory"),
        ("item_test_title", "describe_item_test_title"),
        ("describe_intro", "describe_subgroups_intro"),
        ("describe_method", "describe_subgroups_method"),
        ("model_abbr", "fmt_model_abbr"),
    ],
)
def test_renamed_names_warn_and_still_work(old, new):
    with pytest.warns(DeprecationWarning, match=f"kit.{old} is now kit.{new}"):
        assert getattr(kit, old) is getattr(kit, new)
    assert old not in kit.__all__


def test_renamed_subject_names_and_has_distractors():
    with pytest.warns(DeprecationWarning):
        assert kit.SUBJECT_NAMES["MATH"] == kit.fmt_subject("MATH") == "mathematics"

    class View:
        has_distractors = True

    with pytest.warns(DeprecationWarning):
        assert kit.has_distractors(View()) is True


def test_describe_functions_take_what_they_describe_first_then_the_context():
    for name in (n for n in kit.__all__ if n.startswith("describe_")):
        params = list(inspect.signature(getattr(kit, name)).parameters)
        if "ctx" not in params:
            continue  # describe_item_test_title(view): no context
        at = params.index("ctx")
        # ctx first only where nothing is described but the context and the rules
        assert at == 1 or params[1:2] != ["view"], name
        assert at <= 2, f"{name}{params}: the ReportContext comes after what is described"
        if at == 0:
            assert name.endswith("_method") or name.endswith("_intro"), name
            assert not any(p in ("view", "views", "ayp", "schools", "tests") for p in params)


def test_the_old_argument_order_warns_and_still_works(facts):
    ctx = kit.report_context(facts, "D01S01")
    ayp = kit.view_ayp(facts, ctx)
    with pytest.warns(DeprecationWarning, match=r"describe_index_intro\(view, ctx\)"):
        old = kit.describe_index_intro(ctx, ayp)
    assert old == kit.describe_index_intro(ayp, ctx)


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_every_fmt_shows_a_missing_value_as_the_dash(missing):
    # fmt_num(pd.NA) raised TypeError before one is_missing served every fmt_*.
    for fmt in (kit.fmt_num, kit.fmt_int, kit.fmt_pct, kit.fmt_points, kit.fmt_signed):
        assert fmt(missing) == "—", fmt.__name__
    assert kit.fmt_gap(missing, "all students") == "—"
    assert kit.fmt_change(missing, "2023") == "—"


def test_signed_numbers_have_one_rule():
    assert [kit.fmt_signed(x) for x in (2.04, -1.0, 0.0, -0.04, 0.04, 1234.5)] == [
        "+2.0",
        "-1.0",
        "0.0",
        "0.0",
        "0.0",
        "+1,234.5",
    ]
