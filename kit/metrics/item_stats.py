"""Item statistics finished from sufficient statistics: the SQL of the four item tables.

:mod:`kit.metrics.items` reduces every response to sums that add up across schools (n, sums
of points, of totals, of their squares and cross products, option counts). This module turns
those sums into the published statistics. Every formula is exact integer arithmetic on the
sums (HUGEINT, so no overflow at state scale) up to the final division, so a district's
statistic is the same whether computed from its students or from its schools' sums.

One variance divisor throughout: the sample divisor ``n - 1`` (numpy ``ddof=1``, pandas and
R ``var``). Correlations and alpha do not depend on it (it cancels); ``sd_total`` and ``sem``
do.
"""

from __future__ import annotations

from kit.metrics.groups import GROUPS

# MC options as coded in the sums: 0 is BLANK (no response), 1-4 are A-D.
OPTIONS: tuple[str, ...] = ("BLANK", "A", "B", "C", "D")
MC_CHOICES: tuple[str, ...] = OPTIONS[1:]

# Order in which flags are listed in item_stats.flag (joined with "; ").
FLAG_ORDER = (
    "hard",
    "easy",
    "low discrimination",
    "negative discrimination",
    "distractor beats key",
    "trails state",
)

# standard_stats roll-ups: rollup name -> SQL (over _item_items) naming the category.
ROLLUPS: dict[str, str] = {
    "standard": "standard",
    "reporting_category": "reporting_category",
    "item_type": "CASE item_type WHEN 'MC' THEN 'MC' ELSE 'SR/OR' END",
}


def _h(col: str) -> str:
    return f"{col}::HUGEINT"


def comoment_sql(n: str, sx: str, sy: str, sxy: str) -> str:
    """SQL for ``n * sum(xy) - sum(x) * sum(y)``: n squared times the covariance.

    Exact on integer sums; with ``x = y`` it is ``n^2`` times the population variance and
    ``n (n - 1)`` times the sample variance.
    """
    return f"({_h(n)} * {sxy} - {_h(sx)} * {sy})"


def pearson_sql(n: str, sx: str, sxx: str, sy: str, syy: str, sxy: str) -> str:
    """SQL for Pearson's r from six sums; NULL when either variable has no variance.

    Notes
    -----
    r = (n Sxy - Sx Sy) / sqrt((n Sxx - Sx^2)(n Syy - Sy^2)), the computing formula of the
    product-moment correlation; the divisor cancels.
    """
    cov = comoment_sql(n, sx, sy, sxy)
    vx, vy = comoment_sql(n, sx, sx, sxx), comoment_sql(n, sy, sy, syy)
    return f"({cov}::DOUBLE / nullif(sqrt({vx}::DOUBLE * {vy}::DOUBLE), 0))"


def alpha_sql(k: str, v_items: str, v_total: str) -> str:
    """SQL for Cronbach's alpha from k and variance numerators with a common factor.

    Notes
    -----
    alpha = k / (k - 1) x (1 - sum of item variances / variance of the total) (Cronbach
    1951, Psychometrika 16, 297-334; for 0/1 items this is Kuder and Richardson's formula
    20, 1937; DOMAIN.md, Item analysis). ``v_items`` and ``v_total`` may carry any common
    factor (here n^2); it cancels, so alpha is the same under either divisor. NULL for
    k < 2 or a total without variance.
    """
    return (
        f"(CASE WHEN {k} >= 2 THEN {k}::DOUBLE / ({k} - 1) "
        f"* (1 - {v_items}::DOUBLE / nullif({v_total}, 0)::DOUBLE) END)"
    )


def alpha_if_deleted_sql() -> str:
    """SQL (over an item row joined to its test row) for alpha without this item.

    Notes
    -----
    alpha_(-i) = (k - 1) / (k - 2) x (1 - (sum_j var_j - var_i) / var(T - x_i)) over the
    students who answered every item, with sum (T - x)^2 = sum T^2 - 2 sum xT + sum x^2
    (Cronbach 1951; the "alpha if item deleted" of SPSS RELIABILITY, R psych::alpha and
    CTT::reliability). NULL for k < 3.
    """
    v_i = comoment_sql("n_c", "sx_c", "sx_c", "sxx_c")
    rest, rest_sq = "(st_c - sx_c)", "(stt_c - 2 * sxt_c + sxx_c)"
    v_rest = comoment_sql("n_c", rest, rest, rest_sq)
    k = "(test_items - 1)"
    return f"(CASE WHEN test_items >= 3 THEN {alpha_sql(k, f'(v_items - {v_i})', v_rest)} END)"


def distractor_beats_key_sql() -> str:
    """SQL: true when an MC distractor (A-D, not the key) is chosen by more than the key.

    BLANK is not a distractor. NULL for items that are not MC.
    """
    chosen = " ".join(f"WHEN '{o}' THEN chose_{o}" for o in MC_CHOICES)
    others = ", ".join(f"CASE WHEN \"key\" <> '{o}' THEN chose_{o} ELSE 0 END" for o in MC_CHOICES)
    return (
        f"(CASE WHEN item_type = 'MC' "
        f'THEN greatest({others}) > coalesce(CASE "key" {chosen} END, 0) END)'
    )


def flag_sql(
    *,
    hard_below: float,
    easy_above: float,
    min_point_biserial: float,
    trails_state_by: float,
    min_n: int,
) -> str:
    """SQL for ``item_stats.flag``: the reasons an item needs a look, joined with "; ".

    Notes
    -----
    In the order of ``FLAG_ORDER``: "hard" (pct_correct < hard_below), "easy" (pct_correct >
    easy_above), "low discrimination" (0 <= corrected point-biserial < min_point_biserial),
    "negative discrimination" (r < 0; the item is never reverse-keyed), "distractor beats
    key" (an MC distractor chosen more often than the key), "school trails state by N
    points" / "district trails state by N points" (state_pct_correct - pct_correct >=
    trails_state_by; N rounded to the nearest whole point, halves away from zero). DOMAIN.md,
    Item analysis; PIM step 3-A and Appendix B; thresholds are framework data
    (``item_analysis``). Judged only where n >= min_n: NULL there means "too few students
    to judge", an empty string "judged, nothing to flag".
    """
    return f"""(CASE WHEN n >= {int(min_n)} THEN concat_ws('; ',
        CASE WHEN pct_correct < {float(hard_below)!r} THEN 'hard' END,
        CASE WHEN pct_correct > {float(easy_above)!r} THEN 'easy' END,
        CASE WHEN point_biserial >= 0 AND point_biserial < {float(min_point_biserial)!r}
             THEN 'low discrimination' END,
        CASE WHEN point_biserial < 0 THEN 'negative discrimination' END,
        CASE WHEN distractor_beats_key THEN 'distractor beats key' END,
        CASE WHEN entity_type <> 'state' AND diff_vs_state <= -{float(trails_state_by)!r}
             THEN entity_type || ' trails state by '
                  || CAST(round(-diff_vs_state) AS BIGINT) || ' points' END
    ) END)"""


def group_id_sql(code: str) -> str:
    """SQL turning a group code (index into ``GROUPS``) into the group id of CONTRACT.md."""
    ids = ", ".join(f"'{g.id}'" for g in GROUPS)
    return f"([{ids}])[{code} + 1]"


def keys_sql(entity: str, test: str, grp: str) -> str:
    """SQL for the six key columns from an entity row, an item or test row and a group code."""
    return (
        f"CAST({test}.year AS BIGINT) AS year, {entity}.entity_type, {entity}.entity_id, "
        f"{test}.subject, CAST({test}.grade AS VARCHAR) AS grade, "
        f'{group_id_sql(grp)} AS "group"'
    )


def refs_sql() -> str:
    """SQL: percent correct of every state and district row, for the comparisons."""
    return """
    SELECT r.entity_no, r.item_no, r.grp, 100.0 * r.sx / nullif(r.n * i.max_points, 0) AS pct
    FROM _item_rollup r JOIN _item_items i USING (item_no)
    WHERE r.level < 2
    """


def _compared_sql(select: str, joins: str = "") -> str:
    """``select`` over rollup rows joined to entity, item, state and district references."""
    return f"""
    WITH refs AS ({refs_sql()})
    SELECT {select}
    FROM _item_rollup r
    JOIN _item_entities e ON e.entity_no = r.entity_no
    JOIN _item_items i ON i.item_no = r.item_no
    LEFT JOIN refs st ON st.entity_no = 0 AND st.item_no = r.item_no AND st.grp = r.grp
    LEFT JOIN refs d ON d.entity_no = e.parent_no AND d.item_no = r.item_no AND d.grp = r.grp
    {joins}
    """


# Columns of item_stats and standard_stats that are one expression over the row's other
# columns: the store computes them when a report reads them (docs/metrics.md, "What the
# store keeps"); each is the same expression the build would have stored, so the same value.
_PCT_CORRECT = "100.0 * points_earned / nullif(n * max_points, 0)"
_PCT_EARNED = "100.0 * points_earned / nullif(points_possible, 0)"
ITEM_STATS_DERIVED: dict[str, str] = {
    "pct_correct": _PCT_CORRECT,
    "diff_vs_state": f"{_PCT_CORRECT} - state_pct_correct",
    "diff_vs_district": f"{_PCT_CORRECT} - district_pct_correct",
}
STANDARD_STATS_DERIVED: dict[str, str] = {
    "pct_earned": _PCT_EARNED,
    "gap_vs_state": f"{_PCT_EARNED} - state_pct_earned",
    "gap_vs_district": f"{_PCT_EARNED} - district_pct_earned",
}


def item_stats_sql(
    *,
    hard_below: float,
    easy_above: float,
    min_point_biserial: float,
    trails_state_by: float,
    flag_min_n: int,
    reporting_min_n: int,
) -> str:
    """SQL for the ``item_stats`` facts table (over the ``_item_*`` tables).

    Notes
    -----
    Over the students with a response row for the item (DOMAIN.md, Item analysis; PIM
    Appendix B):

    - ``pct_correct`` = 100 x sum of points / (n x max_points).
    - ``point_biserial`` (corrected) = Pearson r of the item's points x with the rest score
      y = T - x, T = the student's total over the items answered; from sum y = sum T - sum x,
      sum y^2 = sum T^2 - 2 sum xT + sum x^2, sum xy = sum xT - sum x^2 (Henrysson 1963's
      correction for the item's part in the total; "corrected item-total correlation").
    - ``alpha_if_deleted``: :func:`alpha_if_deleted_sql` (students with every item).
    - ``state_pct_correct`` = ``items.state_pct_correct`` when the items table gives it (a
      published reference: the data hold no state-wide responses), else the state row of the
      same group computed from the data; ``state_source`` says which. ``district_pct_correct``
      is the district row of the same group (NULL on state rows). ``diff_vs_*`` =
      pct_correct minus the reference, in percentage points.
    - ``flag``: :func:`flag_sql`; ``suppressed`` = n < the reporting minimum.
    """
    pct = "100.0 * r.sx / nullif(r.n * i.max_points, 0)"
    rb = pearson_sql(
        "r.n", "r.sx", "r.sxx", "(r.st - r.sx)", "(r.stt - 2 * r.sxt + r.sxx)", "(r.sxt - r.sxx)"
    )
    flag = flag_sql(
        hard_below=hard_below,
        easy_above=easy_above,
        min_point_biserial=min_point_biserial,
        trails_state_by=trails_state_by,
        min_n=flag_min_n,
    )
    rows = _compared_sql(
        f"""
        {keys_sql("e", "i", "r.grp")}, i.item_id, i.item_type, i.max_points, i."key",
        i.standard, i.reporting_category, i.description, r.n, r.sx AS points_earned,
        {pct} AS pct_correct,
        coalesce(i.state_pct_correct, st.pct) AS state_pct_correct,
        CASE WHEN i.state_pct_correct IS NOT NULL THEN 'items' ELSE 'responses' END
            AS state_source,
        d.pct AS district_pct_correct,
        {rb} AS point_biserial,
        {alpha_if_deleted_sql()} AS alpha_if_deleted,
        {distractor_beats_key_sql()} AS distractor_beats_key
        """,
        joins="LEFT JOIN _item_tests t ON t.entity_no = r.entity_no AND t.test_no = i.test_no "
        "AND t.grp = r.grp",
    )
    return f"""
    WITH item_rows AS ({rows}),
    diffs AS (
        SELECT *, pct_correct - state_pct_correct AS diff_vs_state,
            pct_correct - district_pct_correct AS diff_vs_district
        FROM item_rows
    )
    SELECT year, entity_type, entity_id, subject, grade, "group", item_id, item_type,
        max_points, "key", standard, reporting_category, description, n, points_earned,
        pct_correct, state_pct_correct, state_source, district_pct_correct, diff_vs_state,
        diff_vs_district, point_biserial, alpha_if_deleted, {flag} AS flag,
        n < {int(reporting_min_n)} AS suppressed
    FROM diffs
    """


def item_option_sums_sql(*, reporting_min_n: int) -> str:
    """SQL for the ``item_option_sums`` table: per MC item row, the sums ``item_options``
    is computed from.

    Notes
    -----
    One row per entity x item x group (the five options of a row share ``n``, ``sy`` and
    ``syy``): ``key``; ``n``; ``sy`` and ``syy`` = sum and sum of squares of the rest
    score y = T - x; per option o of A-D and BLANK, ``chose_o`` = students choosing it and
    ``rest_o`` = the sum of their rest scores. Integers: a fifth of the rows of
    ``item_options`` and none of its unrounded shares, which :func:`item_options_sql`
    derives when a report reads them.
    """
    sums = ", ".join(f"r.chose_{o}, r.rest_{o}" for o in OPTIONS)
    return f"""
    SELECT {keys_sql("e", "i", "r.grp")}, i.item_id, i."key", r.n,
        r.st - r.sx AS sy, r.stt - 2 * r.sxt + r.sxx AS syy, {sums},
        r.n < {int(reporting_min_n)} AS suppressed
    FROM _item_rollup r
    JOIN _item_items i USING (item_no)
    JOIN _item_entities e USING (entity_no)
    WHERE i.item_type = 'MC'
    """


def item_options_sql(source: str = "item_option_sums") -> str:
    """SQL for the ``item_options`` facts table: MC options and BLANK, per item row.

    Notes
    -----
    Over the students with a response row for the item: ``pct`` = 100 x students choosing
    the option / n (A-D and BLANK add up to 100); ``point_biserial`` = Pearson r of the 0/1
    "chose this option" with the rest score T - x (PIM Appendix B distractor analysis: the
    key should have r > 0, each distractor r < 0). ``is_key`` marks the key. Computed from
    the sums of :func:`item_option_sums_sql` (``source``): the store keeps it as a view.
    """
    values = ", ".join(f"('{o}', {i})" for i, o in enumerate(OPTIONS))

    def pick(prefix: str) -> str:
        whens = " ".join(f"WHEN {i} THEN s.{prefix}_{o}" for i, o in enumerate(OPTIONS))
        return f"CASE o.code {whens} END"

    return f"""
    WITH chosen AS (
        SELECT s.year, s.entity_type, s.entity_id, s.subject, s.grade, s."group", s.item_id,
            o.option, o.option = s."key" AS is_key, s.n, s.sy, s.syy,
            {pick("chose")} AS n_choosing, {pick("rest")} AS y_choosing, s.suppressed
        FROM {source} s
        CROSS JOIN (VALUES {values}) o(option, code)
    )
    SELECT year, entity_type, entity_id, subject, grade, "group", item_id, option, is_key,
        n, n_choosing, 100.0 * n_choosing / nullif(n, 0) AS pct,
        {pearson_sql("n", "n_choosing", "n_choosing", "sy", "syy", "y_choosing")}
            AS point_biserial,
        suppressed
    FROM chosen
    """


def reliability_sql(*, reporting_min_n: int) -> str:
    """SQL for the ``reliability`` facts table: one row per entity x test x group.

    Notes
    -----
    Over the students with a response row for every item of the test (``n``; the others
    are counted in ``n_incomplete``): ``alpha`` = Cronbach's alpha (= KR-20 for 0/1 items;
    :func:`alpha_sql`), ``mean_total`` and ``sd_total`` of the total points (divisor
    n - 1), ``sem`` = sd_total x sqrt(1 - alpha), the standard error of measurement
    (DOMAIN.md, Item analysis; NULL where alpha is NULL). ``suppressed`` = n < the reporting
    minimum.
    """
    v_total = comoment_sql("t.n_c", "t.st_c", "t.st_c", "t.stt_c")
    return f"""
    WITH tests AS (
        SELECT DISTINCT test_no, year, subject, grade, test_items, test_points FROM _item_items
    ),
    stats AS (
        SELECT {keys_sql("e", "x", "t.grp")}, t.n_c, t.n_students, x.test_items,
            x.test_points, {alpha_sql("x.test_items", "t.v_items", v_total)} AS alpha,
            t.st_c::DOUBLE / nullif(t.n_c, 0) AS mean_total,
            sqrt({v_total}::DOUBLE / nullif(t.n_c * (t.n_c - 1), 0)) AS sd_total
        FROM _item_tests t
        JOIN tests x USING (test_no)
        JOIN _item_entities e USING (entity_no)
    )
    SELECT year, entity_type, entity_id, subject, grade, "group", n_c AS n,
        n_students - n_c AS n_incomplete, test_items AS n_items, test_points AS max_points,
        mean_total, sd_total, alpha,
        CASE WHEN alpha <= 1 THEN sd_total * sqrt(1 - alpha) END AS sem,
        n_c < {int(reporting_min_n)} AS suppressed
    FROM stats
    """


def categories_sql() -> str:
    """SQL: one row per item and roll-up, with a number for each test x roll-up x category."""
    parts = " UNION ALL ".join(
        f"SELECT item_no, test_no, '{name}' AS rollup, {expr} AS category FROM _item_items"
        for name, expr in ROLLUPS.items()
    )
    return f"""
    SELECT *, dense_rank() OVER (ORDER BY test_no, rollup, category)::INTEGER AS cat_no
    FROM ({parts})
    """


def standards_sql() -> str:
    """SQL for ``_item_standards``: the roll-up by standard, category and item type (integer keys).

    Notes
    -----
    For each entity x test x group and each ``rollup`` ('standard', 'reporting_category',
    'item_type' with categories 'MC' and 'SR/OR'): ``points_earned`` = sum of points on the
    items, ``points_possible`` = sum of n x max_points, ``pct_earned`` = 100 x earned /
    possible (PIM step 3-C: the skills and knowledge students lack). ``state_pct_earned``
    and ``district_pct_earned`` weight the reference's item percentages by this row's points
    possible, sum(possible_i x ref_i) / sum(possible_i), so the reference is measured on the
    same item mix (with complete response rows it is the reference's own pct_earned).
    ``rank`` 1 = the largest shortfall against the state within entity x test x group x
    rollup (ties, gaps equal to 9 decimals so that the rounding noise of the sums cannot
    order them: lower pct_earned first, then category).
    """
    rows = _compared_sql("""
        r.entity_no, r.grp, i.test_no, r.item_no, r.n, r.sx,
        r.n * i.max_points AS possible,
        coalesce(i.state_pct_correct, st.pct) AS state_pct, d.pct AS district_pct
    """)
    possible = "sum(possible)"
    return f"""
    WITH rows AS ({rows}),
    cats AS ({categories_sql()}),
    rolled AS (
        SELECT rows.entity_no, rows.grp, cats.cat_no,
            count(*) AS n_items, max(rows.n) AS n,
            sum(rows.sx)::BIGINT AS points_earned, {possible}::BIGINT AS points_possible,
            100.0 * sum(rows.sx) / nullif({possible}, 0) AS pct_earned,
            sum(possible * state_pct) / nullif(sum(possible)
                FILTER (WHERE state_pct IS NOT NULL), 0) AS state_pct_earned,
            sum(possible * district_pct) / nullif(sum(possible)
                FILTER (WHERE district_pct IS NOT NULL), 0) AS district_pct_earned
        FROM rows JOIN cats USING (item_no)
        GROUP BY rows.entity_no, rows.grp, cats.cat_no
    ),
    named AS (
        SELECT rolled.*, c.test_no, c.rollup, c.category,
            pct_earned - state_pct_earned AS gap_vs_state,
            pct_earned - district_pct_earned AS gap_vs_district
        FROM rolled JOIN (SELECT DISTINCT cat_no, test_no, rollup, category FROM cats) c
            USING (cat_no)
    )
    SELECT *, row_number() OVER (PARTITION BY entity_no, test_no, grp, rollup
        ORDER BY round(gap_vs_state, 9) ASC NULLS LAST, pct_earned ASC, category ASC NULLS LAST)
        AS rank
    FROM named
    """


def standard_stats_sql(*, reporting_min_n: int) -> str:
    """SQL for the ``standard_stats`` facts table: ``_item_standards`` with its keys named.

    ``n`` = the largest item n in the category; ``suppressed`` = n < the reporting minimum.
    """
    return f"""
    WITH tests AS (SELECT DISTINCT test_no, year, subject, grade FROM _item_items)
    SELECT {keys_sql("e", "x", "s.grp")}, s.rollup, s.category, s.n_items, s.n,
        s.points_earned, s.points_possible, s.pct_earned, s.state_pct_earned,
        s.district_pct_earned, s.gap_vs_state, s.gap_vs_district, s.rank,
        s.n < {int(reporting_min_n)} AS suppressed
    FROM _item_standards s
    JOIN tests x USING (test_no)
    JOIN _item_entities e USING (entity_no)
    """
