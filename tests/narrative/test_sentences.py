"""Sentences that agree with themselves, with the tables beside them and with the facts, under
every shipped framework a principal may read them in (issue 11, item 12).

Each test reads the demo district built under Massachusetts (``ma``), New York (``ny``)
and South Carolina (``sc``) rules and checks one kind of sentence against the view it was
built from: the levels chart's alt text, the missed results out of reach, the groups below
the accountability minimum, differences beside rounded figures, and the words a framework
uses (no internal ids, percent proficient is not an index, verbs agree).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

import kit
from kit.fmt import fmt_num, fmt_pct


@pytest.fixture(scope="module")
def store(framework_store):
    return framework_store


def _index_texts(f, school: str) -> dict:
    ctx = kit.report_context(f, school)
    ayp = kit.view_ayp(f, ctx)
    rules = kit.ayp_rules(f)
    caveats = kit.accountability_caveats(f, ctx)
    unjudged = kit.ayp_unjudged(f, ctx, ayp)
    subjects = kit.ayp_subjects(ayp, ctx)
    return {
        "ctx": ctx,
        "ayp": ayp,
        "rules": rules,
        "unjudged": unjudged,
        "findings": kit.describe_ayp(ayp, ctx, rules, caveats),
        "change": kit.describe_what_would_change(ayp, ctx),
        "subjects": {s: kit.describe_ayp_subject(ayp, ctx, s, rules, unjudged) for s in subjects},
        "caveats": kit.describe_caveats(caveats, ctx),
        "method": kit.describe_index_method(ctx, rules, caveats),
        "goals": {s: kit.describe_goals(kit.view_goals(f, ctx, s), ctx, s) for s in subjects},
        "tables": "\n".join(kit.tab_ayp(ayp, ctx, s).to_string() for s in subjects),
    }


@pytest.fixture(scope="module")
def index_texts(store):
    return [_index_texts(store, s) for s in store.schools()["entity_id"]]


def _all_text(t: dict) -> str:
    return "\n".join(
        [
            t["findings"],
            t["change"],
            *t["subjects"].values(),
            t["caveats"],
            t["method"],
            *t["goals"].values(),
            t["tables"],
        ]
    )


def shown_diff(a: float, b: float, digits: int = 1) -> float:
    """The difference a reader gets by subtracting two printed figures (the oracle)."""
    return round(float(f"{a:.{digits}f}") - float(f"{b:.{digits}f}"), digits) + 0.0


def _internal_ids(f) -> list[str]:
    """AYP test ids a reader must not see: with a number ("option_3") or written otherwise
    than the state writes the words ("effective_amo" for "effective AMO")."""
    rules = f.table("accountability_rules", section="ayp")
    out = []
    for rec in rules.to_dict("records"):
        spaced = str(rec["id"]).replace("_", " ")
        label = str(rec["label"])
        if re.search(r"\d", spaced) or (
            spaced.lower() in label.lower()
            and spaced not in label
            and spaced.capitalize() not in label
        ):
            out.append(str(rec["id"]))
    return out


# --- the levels chart's alt text ---------------------------------------------------------


def test_levels_alt_text_names_the_extremes_of_the_bars_the_chart_draws(store):
    checked = 0
    for school in [*store.schools()["entity_id"], *store.districts()["entity_id"]]:
        ctx = kit.report_context(store, school)
        for subject in ctx.subjects:
            view = kit.view_subgroups(store, ctx, subject)
            chart = kit.plot_levels_by_group(
                view, ctx.level_names, proficient_level=ctx.proficient_level, title="T"
            )
            m = re.search(r"Lowest: (.+?) at ([\d.]+)%; highest: (.+?) at ([\d.]+)%", chart.alt)
            if not m:
                continue
            # The bars: every reported group with a result but all students.
            bars = view[~view["suppressed"] & (view["group"] != "all")].dropna(
                subset=["pct_proficient"]
            )
            shown = {
                lab: fmt_num(v)
                for lab, v in zip(bars["label"], bars["pct_proficient"], strict=True)
            }
            assert m.group(1) in shown and m.group(3) in shown, chart.alt
            values = [float(v) for v in shown.values()]
            assert float(m.group(2)) == min(values), chart.alt
            assert float(m.group(4)) == max(values), chart.alt
            checked += 1
    assert checked


# --- missed results out of reach -----------------------------------------------------------


def _far(ayp: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Missed reported results not within reach: those that decide AYP, and the others."""
    if ayp.empty:
        return ayp, ayp
    missed = ayp[
        ~ayp["suppressed"]
        & ~ayp["met"].fillna(False).astype(bool)
        & ~ayp["change_plausible"].fillna(False).astype(bool)
    ]
    acc = missed["accountable"].fillna(False).astype(bool)
    return missed[acc], missed[~acc]


def _check_change_counts(text: str, ayp: pd.DataFrame) -> None:
    counted, info = _far(ayp)
    for m in re.finditer(
        r"(?:None of the|The other|The) (\d+) missed results( that decide AYP)?", text
    ):
        n, deciding = int(m.group(1)), bool(m.group(2))
        assert n == (len(counted) if deciding else len(info)), (text, len(counted), len(info))
    if re.search(r"missed results? that decide", text) is None:
        assert counted.empty, text
    # A missed result out of reach is named, whether or not it counts.
    for rec in pd.concat([counted, info]).to_dict("records"):
        assert rec["noun"] in text, (rec["noun"], text)
    for m in re.finditer(r"(The other|The) missed result that decides AYP \((.+?)\)", text):
        assert len(counted) == 1 and counted["noun"].iloc[0] in m.group(2), text


def test_missed_results_out_of_reach_are_counted_apart_and_named(index_texts):
    for t in index_texts:
        _check_change_counts(t["change"], t["ayp"])


def _school_with_both_kinds_of_miss(store):
    for school in store.schools()["entity_id"]:
        ctx = kit.report_context(store, school)
        ayp = kit.view_ayp(store, ctx)
        shown = ayp[~ayp["suppressed"] & ~ayp["met"].fillna(False).astype(bool)]
        acc = shown["accountable"].fillna(False).astype(bool)
        if acc.any() and (~acc).any():
            return ctx, ayp
    pytest.skip("no school with both kinds of missed result under this framework")


def test_none_of_the_missed_results_counts_only_those_that_decide_ayp(store):
    # The case: 6 counted misses read "None of the 14 missed results".
    ctx, ayp = _school_with_both_kinds_of_miss(store)
    far = ayp.assign(change_plausible=False)
    text = kit.describe_what_would_change(far, ctx)
    counted, info = _far(far)
    assert f"None of the {len(counted)} missed results that decide AYP" in text or (
        len(counted) == 1 and "The missed result that decides AYP" in text
    ), text
    assert f"None of the {len(counted) + len(info)} missed" not in text
    _check_change_counts(text, far)


def test_the_other_missed_result_never_stands_for_a_group_that_does_not_count(store):
    # One counted miss within reach, one result of a group shown for information out of
    # reach: "The other missed result" must not be said of the uncounted group.
    ctx, ayp = _school_with_both_kinds_of_miss(store)
    missed = ayp[~ayp["suppressed"] & ~ayp["met"].fillna(False).astype(bool)]
    acc = missed["accountable"].fillna(False).astype(bool)
    keep = [missed[acc].index[0], missed[~acc].index[0]]
    one = ayp.copy()
    one.loc[~one.index.isin(keep), "met"] = True
    one["change_plausible"] = False
    one.loc[keep[0], "change_plausible"] = True
    one.loc[keep[0], "change_students"] = 1
    one.loc[keep[0], "change_of"] = 40
    one.loc[keep[0], "change_kind"] = "participation"
    text = kit.describe_what_would_change(one, ctx)
    assert "The other missed result would need" not in text, text
    noun = one.loc[keep[1], "noun"]
    assert re.search(
        rf"missed result of a group shown for information \({re.escape(noun)} in", text
    )
    _check_change_counts(text, one)


# --- groups below the accountability minimum ---------------------------------------------


def test_groups_below_the_minimum_are_described_one_way(index_texts, store):
    for t in index_texts:
        rules, ayp = t["rules"], t["ayp"]
        min_n = rules["accountability_min_n"]
        for subject, text in t["subjects"].items():
            m = re.search(
                r"Not judged for AYP \(fewer than (\d+) students( enrolled)?\): (.+?)\.", text
            )
            if m:
                # Not judged: too few *enrolled* (the facts have no AYP row for them).
                assert m.group(2), text
                assert int(m.group(1)) == min_n
            part = re.search(r"(.+?) on participation only \((.+?)\)", text)
            if part:
                # Judged on participation only: enough enrolled, too few accountable.
                assert "enrolled" in part.group(2) and "accountable" in part.group(2), text
                rows = ayp[(ayp["subject"] == subject) & ~ayp["suppressed"]]
                for rec in rows.to_dict("records"):
                    if rec["noun"] in part.group(1).split(":")[-1] and rec["accountable"]:
                        assert rec["n_enrolled"] >= min_n or rec["group"] == "all"
        # The method says the same: fewer enrolled -> not judged; fewer accountable ->
        # participation only (never "below that it is judged on participation only").
        assert "below that it is judged on participation only" not in t["method"]
        if rules["tests"]:
            assert "enrolled" in t["method"] and "participation only" in t["method"]


# --- differences beside rounded figures ----------------------------------------------------


def _num(text: str) -> float:
    return float(text.replace("%", "").replace("+", "").replace(",", ""))


def test_differences_in_tables_agree_with_the_figures_shown(store):
    checked = 0
    for school in store.schools()["entity_id"]:
        ctx = kit.report_context(store, school)
        for subject in ctx.subjects:
            tab = kit.tab_subgroups(kit.view_subgroups(store, ctx, subject), ctx)
            all_pct = tab.loc[0, "% proficient+"]
            for rec in tab.iloc[1:].to_dict("records"):
                if "—" in (rec["% proficient+"], rec["vs all"], all_pct):
                    continue
                assert _num(rec["vs all"]) == shown_diff(_num(rec["% proficient+"]), _num(all_pct))
                checked += 1
        for test in kit.view_item_tests(store, ctx):
            if test.suppressed:
                continue
            for rec in kit.tab_trailing_items(test).to_dict("records"):
                if "—" not in (rec["% correct"], rec["State"], rec["vs state"]):
                    assert _num(rec["vs state"]) == shown_diff(
                        _num(rec["% correct"]), _num(rec["State"])
                    ), rec
                    checked += 1
            for rec in kit.tab_rollups(test).to_dict("records"):
                if "—" not in (rec["% of points"], rec["State"], rec["vs state"]):
                    assert _num(rec["vs state"]) == shown_diff(
                        _num(rec["% of points"]), _num(rec["State"])
                    ), rec
                    checked += 1
    district = store.districts()["entity_id"].iloc[0]
    ctx = kit.report_context(store, district)
    for subject in ctx.subjects:
        tab = kit.tab_gaps(kit.view_gaps(store, ctx, subject), ctx)
        col = [c for c in tab.columns if c not in ("Group", "Students", "vs all students")][0]
        all_value = tab.loc[0, col]
        for rec in tab.iloc[1:].to_dict("records"):
            if "—" in (rec[col], rec["vs all students"], all_value):
                continue
            assert _num(rec["vs all students"]) == shown_diff(_num(rec[col]), _num(all_value))
            checked += 1
    assert checked > 50


def test_differences_in_sentences_agree_with_the_figures_shown(store):
    checked = 0
    for school in store.schools()["entity_id"]:
        ctx = kit.report_context(store, school)
        for subject in ctx.subjects:
            view = kit.view_subgroups(store, ctx, subject)
            para = kit.describe_subgroups(view, ctx, subject)
            all_pct = view.loc[view["group"] == "all", "pct_proficient"].iloc[0]
            m = re.search(r"trailed most: ([\d.]+)%, ([\d.]+) points? below all students", para)
            if m:
                assert -float(m.group(2)) == shown_diff(float(m.group(1)), all_pct), para
                checked += 1
    assert checked


# --- the words of a framework --------------------------------------------------------------


def test_no_internal_ids_reach_a_sentence(index_texts, store):
    ids = _internal_ids(store)
    for t in index_texts:
        text = _all_text(t)
        for test_id in ids:
            spaced = test_id.replace("_", " ")
            # "made AYP through option 3", "the effective amo test", "Met: option 1".
            assert not re.search(rf"(through|the|Met:) {re.escape(spaced)}\b", text), (
                test_id,
                text,
            )
            assert not re.search(rf"\b{re.escape(test_id)}\b", text), (test_id, text)
        for raw in t["ctx"].unverified:
            assert raw not in text, raw
        assert "index model " not in text and "framework ny" not in text


def test_percent_proficient_is_not_called_an_index(index_texts):
    for t in index_texts:
        pct = t["ayp"]["measure"].eq("pct_proficient").any() if len(t["ayp"]) else False
        if not pct:
            continue
        assert "on the percent proficient" not in t["findings"], t["findings"]
        assert "same index" not in t["findings"], t["findings"]
        for line in t["findings"].splitlines():
            m = re.match(r"- \*\*.+?:\*\* \*\*([\d.]+%?)\*\*", line)
            if m:
                assert m.group(1).endswith("%"), line


def test_verbs_agree_with_the_caveats_they_follow(index_texts):
    for t in index_texts:
        m = re.search(r"\*Provisional: (.+?) used here (is|are) not verified", t["findings"])
        if not m:
            continue
        plural = " and " in m.group(1) or "," in m.group(1) or "targets" in m.group(1)
        assert m.group(2) == ("are" if plural else "is"), m.group(0)


def test_every_caveat_bullet_says_something(index_texts):
    # Item 13: "Sublevel scale-score cuts." stood alone as a bullet.
    for t in index_texts:
        for line in t["caveats"].splitlines():
            if line.startswith("- *"):
                after = re.sub(r"^- \*.+?\.\*", "", line).strip()
                assert after, line


def test_goal_and_target_in_percent_read_as_percents(index_texts):
    for t in index_texts:
        for text in t["goals"].values():
            if "percent proficient of" in text:
                pytest.fail(text)


def test_all_students_sentence_states_the_values_the_table_shows(index_texts):
    for t in index_texts:
        ayp = t["ayp"]
        for rec in ayp[(ayp["group"] == "all") & ~ayp["suppressed"]].to_dict("records"):
            d = int(rec["digits"])
            value = fmt_pct(rec["value"], d) if rec["measure"] == "pct_proficient" else None
            if value and rec["target"] == rec["target"]:
                assert f"**{value}**" in t["findings"], t["findings"]
