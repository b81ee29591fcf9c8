"""Cells tied by sums: the structure complementary suppression protects.

Everything a set of reports publishes can be seen as **cells** (the students of one group at
one entity, in one year, subject and grade, with their count and results) tied by **sums**:

- all students = the sum of the parts of each partition (race/ethnicity, gender), with an
  unpublished *rest* cell for students in none of the parts (a missing gender code);
- all students = a group + its complement (``swd`` + ``non_swd``), where a group without a
  published complement (``title1``, ``migrant`` ...) has an unpublished *not-group* cell;
- ``ever_ell`` = ``ell`` + ``former_ell``;
- a district's group = the sum of its schools' same group, the state's = the sum of its
  districts' (the hierarchy);
- an entity's group over all grades = the sum of its grades (when grades are cells too);
- a crosstab's line: Y + N = ALL along each dimension.

Every additive figure (counts, counts at each level, index points, scale-score totals)
obeys the same sums, so a decision taken per cell protects them all. This module builds
the system (:class:`CellSystem`); :mod:`kit.metrics.suppression` decides which cells to hide
and audits a decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kit.metrics.groups import GROUPS, PARTITIONS

#: Partitions of all students by label, for the reason a cell is hidden.
PARTITION_NAMES = {PARTITIONS[0]: "race/ethnicity", PARTITIONS[1]: "gender"}

_EXPLICIT = {g.complement: g.id for g in GROUPS if g.complement}
_IN_PARTITION = {g for p in PARTITIONS for g in p}
_COMPLEMENTS = set(_EXPLICIT.values())
#: Groups (subsets of all students) whose complement is not a published group: the students
#: not in them form an unpublished cell, ``not:<group>``.
IMPLICIT_COMPLEMENT = tuple(
    g.id
    for g in GROUPS
    if g.id != "all"
    and g.id not in _IN_PARTITION
    and g.id not in _COMPLEMENTS
    and g.id not in _EXPLICIT
)
#: Sums among groups of one entity besides partitions and complements: total -> parts.
GROUP_SUMS: dict[str, tuple[str, ...]] = {"ever_ell": ("ell", "former_ell")}


@dataclass(frozen=True)
class CellSystem:
    """Cells and the sums that tie them.

    Attributes
    ----------
    cells
        One row per cell: its identity columns (``system`` columns, ``entity_type``,
        ``entity_id``, ``grade`` when grades are cells, ``group``), ``published`` (a report
        may show it; False for the *rest* and *not-group* cells no report prints) and
        ``order`` (a stable preference among equals: lower is hidden first).
    size
        ``(cells, k)`` counts of students, one column per size measure (e.g. accountable
        tested, enrolled). A cell is small when any measure is between 1 and the minimum - 1,
        and empty when every measure is 0.
    total, parts_ptr, parts
        Relation ``r`` says ``cells[total[r]] = sum(cells[parts[parts_ptr[r]:parts_ptr[r+1]]])``.
    kind
        A label per relation (``race/ethnicity``, ``complement``, ``district total`` ...),
        used to say why a cell was hidden.
    redundant
        Kinds of relation whose total is itself a sum of published groups (``ever_ell`` =
        ``ell`` + ``former_ell``): there the total is hidden before a part, since it adds no
        information of its own.
    """

    cells: pd.DataFrame
    size: np.ndarray
    total: np.ndarray
    parts_ptr: np.ndarray
    parts: np.ndarray
    kind: np.ndarray
    redundant: frozenset[str] = frozenset()

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def n_relations(self) -> int:
        return len(self.total)

    def members(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (relation, cell, is_total) membership, as three aligned arrays."""
        n_parts = np.diff(self.parts_ptr)
        rel = np.concatenate(
            [np.arange(self.n_relations), np.repeat(np.arange(self.n_relations), n_parts)]
        )
        cell = np.concatenate([self.total, self.parts])
        is_total = np.concatenate(
            [np.ones(self.n_relations, bool), np.zeros(len(self.parts), bool)]
        )
        return rel.astype(np.int64), cell.astype(np.int64), is_total

    def relation_cells(self, r: int) -> tuple[int, np.ndarray]:
        return int(self.total[r]), self.parts[self.parts_ptr[r] : self.parts_ptr[r + 1]]


def _relations(
    pieces: list[pd.DataFrame], kinds: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CSR relations from long pieces (``tag``, ``key``, ``cell``, ``role`` 0 total / 1 part).

    A relation is identified by (``tag``, ``key``); ``kinds`` names each tag's relation.
    """
    if not pieces:
        empty = np.zeros(0, np.int64)
        return empty, np.zeros(1, np.int64), empty, np.zeros(0, object)
    rel = pd.concat(pieces, ignore_index=True).drop_duplicates(["tag", "key", "cell", "role"])
    rel = rel.assign(rid=rel.groupby(["tag", "key"], sort=True).ngroup())
    rel = rel.sort_values(["rid", "role", "cell"], kind="stable")
    tag_of = rel.drop_duplicates("rid").set_index("rid")["tag"]
    totals = rel[rel["role"] == 0].drop_duplicates("rid").set_index("rid")["cell"]
    parts = rel[(rel["role"] == 1) & rel["rid"].isin(totals.index)]
    counts = parts.groupby("rid").size()
    rids = totals.index.intersection(counts.index).sort_values()
    parts = parts[parts["rid"].isin(rids)]
    ptr = np.concatenate([[0], np.cumsum(counts.loc[rids].to_numpy())]).astype(np.int64)
    kind = tag_of.loc[rids].map(lambda t: kinds.get(t, t)).to_numpy(dtype=object)
    return (totals.loc[rids].to_numpy(np.int64), ptr, parts["cell"].to_numpy(np.int64), kind)


def group_cells(
    rows: pd.DataFrame,
    *,
    size_cols: Sequence[str],
    system_cols: Sequence[str] = ("year", "subject"),
    parents: pd.DataFrame | None = None,
    grade_col: str | None = "grade",
    grade_total: str | None = "ALL",
    grade_groups: Sequence[str] | None = None,
) -> CellSystem:
    """The cells of group results and their sums.

    Parameters
    ----------
    rows
        One row per ``system_cols`` x ``entity_type`` x ``entity_id`` [x ``grade_col``] x
        ``group`` with the counts ``size_cols``; groups or entities without a row have no
        students (0).
    size_cols
        The count columns (e.g. ``n_fay_tested``, ``n_tested``, ``n_enrolled``).
    system_cols
        Columns that separate independent systems (no sum crosses them).
    parents
        ``entity_id`` -> ``parent_id`` (a school's district, a district's ``STATE``): the
        hierarchy sums. None: no hierarchy.
    grade_col, grade_total
        When ``grade_col`` is given, the ``grade_total`` row of an entity and group is the
        sum of its other grades' rows (when it has any).
    grade_groups
        The groups a report may show grade by grade (None: every group); the other groups'
        grade rows are unpublished cells (hidden, but still tied by the sums).
    """
    system_cols = list(system_cols)
    ent_cols = ["entity_type", "entity_id"]
    place_cols = [*system_cols, *ent_cols] + ([grade_col] if grade_col else [])
    size_cols = list(size_cols)
    data = rows[[*place_cols, "group", *size_cols]]
    known = [g.id for g in GROUPS]
    seen = set(data["group"].unique().tolist())
    groups = [g for g in known if g in seen] + sorted(seen - set(known))
    # Unpublished cells: the rest of each partition, and the students not in a group.
    partitions = [(m, PARTITION_NAMES[m]) for m in PARTITIONS if set(m) & seen]
    implicit = [g for g in IMPLICIT_COMPLEMENT if g in seen]
    names = groups + [f"rest:{label}" for _, label in partitions] + [f"not:{g}" for g in implicit]
    gi = {name: i for i, name in enumerate(names)}
    n_g = len(names)

    # A dense grid: every place (system x entity [x grade]) has every group; cell = p x G + g.
    place_no = data.groupby(place_cols, sort=True, dropna=False).ngroup().to_numpy()
    places = (
        data[place_cols]
        .assign(_p=place_no)
        .drop_duplicates("_p")
        .sort_values("_p")
        .drop(columns="_p")
        .reset_index(drop=True)
    )
    n_p = len(places)
    size = np.zeros((n_p, n_g, len(size_cols)))
    values = data[size_cols].apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy("float64")
    size[place_no, pd.Index(names).get_indexer(data["group"]), :] = values
    if "all" in gi:
        a = gi["all"]
        for members, label in partitions:
            idx = [gi[g] for g in members if g in gi]
            size[:, gi[f"rest:{label}"]] = np.clip(size[:, a] - size[:, idx].sum(axis=1), 0, None)
        for g in implicit:
            size[:, gi[f"not:{g}"]] = np.clip(size[:, a] - size[:, gi[g]], 0, None)
    published = np.zeros((n_p, n_g), bool)
    published[:, : len(groups)] = True
    if grade_col and grade_total is not None and grade_groups is not None:
        by_grade = (places[grade_col] != grade_total).to_numpy()
        keep = np.isin(np.asarray(groups, dtype=object), list(grade_groups))
        published[np.ix_(by_grade, np.arange(len(groups)))] = keep[None, :]

    cells = places.loc[np.repeat(np.arange(n_p), n_g)].reset_index(drop=True)
    cells["group"] = pd.Categorical.from_codes(np.tile(np.arange(n_g), n_p), categories=names)
    for j, c in enumerate(size_cols):
        cells[c] = size[:, :, j].ravel()
    cells["published"] = published.ravel()
    cells["order"] = np.arange(n_p * n_g)

    totals: list[np.ndarray] = []
    parts_list: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    kinds: list[np.ndarray] = []
    redundant = set()

    def within(kind: str, total: str, part_groups: Sequence[str]) -> None:
        """At every place: ``total`` = the sum of ``part_groups``."""
        if total not in gi or not part_groups:
            return
        base = np.arange(n_p) * n_g
        idx = np.asarray([gi[g] for g in part_groups])
        totals.append(base + gi[total])
        parts_list.append((base[:, None] + idx[None, :]).ravel())
        counts.append(np.full(n_p, len(idx)))
        kinds.append(np.full(n_p, kind, dtype=object))

    def nested(child: np.ndarray, parent: np.ndarray, kind_of_parent: np.ndarray) -> None:
        """For every group: the parent place's cell = the sum of its child places' cells."""
        if not len(child):
            return
        order = np.lexsort((child, parent))
        child, parent, kind_of_parent = child[order], parent[order], kind_of_parent[order]
        uniq, start, cnt = np.unique(parent, return_index=True, return_counts=True)
        # relation (u, g), u-major: parts = the children of u, group g
        totals.append((uniq[:, None] * n_g + np.arange(n_g)[None, :]).ravel())
        counts.append(np.repeat(cnt, n_g))
        kinds.append(np.repeat(kind_of_parent[start], n_g))
        rel_of = np.repeat(np.arange(len(uniq)), cnt)  # child position -> parent position
        pieces = child[:, None] * n_g + np.arange(n_g)[None, :]  # (children, groups)
        key = rel_of[:, None] * n_g + np.arange(n_g)[None, :]
        by = np.argsort(key.ravel(), kind="stable")
        parts_list.append(pieces.ravel()[by])

    for members, label in partitions:
        within(label, "all", [*(g for g in members if g in gi), f"rest:{label}"])
    for comp, gid in _EXPLICIT.items():
        present = [g for g in (gid, comp) if g in gi]
        if present:
            within("a group and its complement", "all", present)
    for gid in implicit:
        within("a group and the other students", "all", [gid, f"not:{gid}"])
    for total, sum_parts in GROUP_SUMS.items():
        if total in gi and all(p in gi for p in sum_parts):
            kind = f"{total} = {' + '.join(sum_parts)}"
            within(kind, total, sum_parts)
            redundant.add(kind)

    key_cols = [*system_cols] + ([grade_col] if grade_col else [])
    if parents is not None and len(parents):
        par = parents[["entity_id", "parent_id"]].drop_duplicates("entity_id")
        pl = places.assign(_p=np.arange(n_p))
        child = pl.merge(par, on="entity_id", how="inner")
        target = pl.rename(columns={"entity_id": "parent_id", "_p": "_pp", "entity_type": "_pt"})
        child = child.merge(
            target[[*key_cols, "parent_id", "_pp", "_pt"]], on=[*key_cols, "parent_id"], how="inner"
        )
        nested(
            child["_p"].to_numpy(),
            child["_pp"].to_numpy(),
            (child["_pt"].astype(str) + " total").to_numpy(dtype=object),
        )
    if grade_col and grade_total is not None:
        pl = places.assign(_p=np.arange(n_p))
        whole = pl[pl[grade_col] == grade_total]
        by = pl[pl[grade_col] != grade_total].merge(
            whole[[*system_cols, *ent_cols, "_p"]].rename(columns={"_p": "_pp"}),
            on=[*system_cols, *ent_cols],
            how="inner",
        )
        nested(by["_p"].to_numpy(), by["_pp"].to_numpy(), np.full(len(by), "grades", object))

    if totals:
        total = np.concatenate(totals).astype(np.int64)
        parts = np.concatenate(parts_list).astype(np.int64)
        count = np.concatenate(counts).astype(np.int64)
        kind = np.concatenate(kinds)
    else:
        total = parts = count = np.zeros(0, np.int64)
        kind = np.zeros(0, object)
    ptr = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    return CellSystem(
        cells=cells,
        size=size.reshape(n_p * n_g, len(size_cols)),
        total=total,
        parts_ptr=ptr,
        parts=parts,
        kind=kind,
        redundant=frozenset(redundant),
    )


def crosstab_cells(
    rows: pd.DataFrame,
    *,
    dims: Sequence[str],
    n_col: str = "n",
    parents: pd.DataFrame | None = None,
    system_cols: Sequence[str] = ("year",),
) -> CellSystem:
    """The cells of cross-tabulations (PIM 0-C) and their lines Y + N = ALL.

    ``rows`` are ``crosstab`` facts rows: one per entity x crosstab x combination, with a
    column per dimension in ``dims`` holding ``Y``, ``N``, ``ALL`` or empty (not a
    dimension of that crosstab). The same combination in two crosstabs (e.g. the margin
    ``low_income=Y`` with every other dimension at ``ALL``) is one cell.
    """
    system_cols = list(system_cols)
    ent_cols = ["entity_type", "entity_id"]
    data = rows.copy()
    dims = [d for d in dims if d in data.columns]
    for d in dims:
        data[d] = data[d].fillna("ALL").replace("", "ALL")
    data[n_col] = pd.to_numeric(data[n_col], errors="coerce").fillna(0).astype("float64")
    key = [*system_cols, *ent_cols]
    cells = data.drop_duplicates([*key, *dims]).reset_index(drop=True)
    cells["published"] = True
    cells["order"] = np.arange(len(cells))
    cells["_cell"] = np.arange(len(cells))
    pieces: list[pd.DataFrame] = []
    kinds: dict[str, str] = {}

    def add(tag: str, kind: str, part: np.ndarray, total: np.ndarray) -> None:
        """Relations ``total`` = the sum of its ``part`` cells (aligned arrays)."""
        kinds[tag] = kind
        pieces.append(pd.DataFrame({"tag": tag, "key": total, "cell": part, "role": 1}))
        pieces.append(pd.DataFrame({"tag": tag, "key": total, "cell": total, "role": 0}))

    lookup = cells[[*key, *dims, "_cell"]].rename(columns={"_cell": "_tot"})
    for d in dims:
        for v in ("Y", "N"):
            part = cells[cells[d] == v][[*key, *dims, "_cell"]]
            if part.empty:
                continue
            part = part.assign(**{d: "ALL"}).merge(lookup, on=[*key, *dims], how="inner")
            add(f"X:{d}", "crosstab line", part["_cell"].to_numpy(), part["_tot"].to_numpy())
    if parents is not None and len(parents):
        par = parents[["entity_id", "parent_id"]].drop_duplicates("entity_id")
        child = cells[[*system_cols, "entity_id", *dims, "_cell"]].merge(par, on="entity_id")
        tot = cells[[*system_cols, "entity_type", "entity_id", *dims, "_cell"]].rename(
            columns={"entity_id": "parent_id", "_cell": "_tot", "entity_type": "_ptype"}
        )
        child = child.merge(tot, on=[*system_cols, "parent_id", *dims], how="inner")
        for ptype, sub in child.groupby("_ptype", sort=True):
            add(f"H:{ptype}", f"{ptype} total", sub["_cell"].to_numpy(), sub["_tot"].to_numpy())
    total, ptr, parts, kind = _relations(pieces, kinds)
    out = cells.drop(columns=["_cell"])
    return CellSystem(
        cells=out,
        size=out[[n_col]].to_numpy("float64"),
        total=total,
        parts_ptr=ptr,
        parts=parts,
        kind=kind,
    )
