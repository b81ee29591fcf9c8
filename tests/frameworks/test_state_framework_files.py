"""mo_msip5 and tx_pbmas: they load and build as ordinary frameworks; unknowns are marked
verified: false with a note; a user's own tables are validated, every problem named by key."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from kit.build import build_facts
from kit.errors import FrameworkError
from kit.frameworks.loader import load_framework, shipped_frameworks


def shipped(name):
    return yaml.safe_load((resources.files("kit.frameworks") / f"{name}.yaml").read_text())


def write(tmp_path, data):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def problems(tmp_path, data) -> dict[str, str]:
    with pytest.raises(FrameworkError) as err:
        load_framework(write(tmp_path, data))
    return dict(err.value.problems)


def walk(obj, path=""):
    """Every mapping in a YAML tree with its path."""
    if isinstance(obj, dict):
        yield path, obj
        for k, v in obj.items():
            yield from walk(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk(v, f"{path}[{i}]")


@pytest.mark.parametrize("name", ["mo_msip5", "tx_pbmas"])
def test_shipped_state_frameworks_load_as_ordinary_frameworks(name):
    assert name in shipped_frameworks()
    fw = load_framework(name)
    assert fw.n_levels == 4 and fw.headline_model in fw.index_models
    assert (fw.msip is not None) == (name == "mo_msip5")
    assert (fw.pbmas is not None) == (name == "tx_pbmas")
    assert not fw.verified and fw.unverified


@pytest.mark.parametrize("name", ["mo_msip5", "tx_pbmas"])
def test_every_unverified_item_says_what_is_unknown(name):
    section = shipped(name)["msip" if name == "mo_msip5" else "pbmas"]
    unverified = [(p, d) for p, d in walk(section) if d.get("verified") is False]
    assert unverified
    for path, d in unverified:
        assert "[UNKNOWN]" in d["note"] or "[INFERRED]" in d["note"], path


def test_the_unverified_tables_are_named_for_the_report_banner():
    msip = load_framework("mo_msip5").unverified
    for name in (
        "MSIP status targets",
        "MSIP progress targets",
        "MSIP growth rule",
        "MSIP scoring credits",
        "MSIP K8 standard 1 points",
    ):
        assert name in msip
    pbmas = load_framework("tx_pbmas").unverified
    assert "PBMAS SPED #12 cut points" in pbmas and "PBMAS staging table BE_ESL (2016)" in pbmas
    assert "PBMAS BE/ESL #1 cut points" not in pbmas  # S003's passing-rate standards


@pytest.mark.parametrize("name", ["mo_msip5", "tx_pbmas"])
def test_the_demo_builds_under_the_state_frameworks(demo_dir, tmp_path, name):
    result = build_facts(demo_dir, tmp_path / "facts.duckdb", framework=name)
    assert result.table_rows["performance"] > 0 and result.table_rows["index_scores"] > 0


def test_a_user_supplies_the_real_msip_tables(tmp_path):
    data = shipped("mo_msip5")
    data["msip"]["status_targets"] = {
        "source": "MSIP 5 Comprehensive Guide 2014, p. 12",
        "verified": True,
        "rows": [
            {
                "measure": "mpi",
                "subject": "ELA",
                "from_year": 2014,
                "cuts": {"exceeding": 414.3, "on_track": 355.0, "approaching": 300.0},
            }
        ],
    }
    fw = load_framework(write(tmp_path, data))
    row = fw.msip.status_targets.lookup("mpi", "ELA", "all", 2015)
    assert (
        row.cuts.on_track == 355.0
        and fw.msip.status_targets.lookup("mpi", "MATH", "all", 2015) is None
    )
    assert "MSIP status targets" not in fw.unverified


def test_a_user_supplies_pbmas_cut_points_per_year(tmp_path):
    data = shipped("tx_pbmas")
    sped12 = next(
        i for i in data["pbmas"]["indicators"] if i["program_area"] == "SPED" and i["number"] == 12
    )
    sped12["by_year"] = {
        2014: {
            "ranges": {
                "pl0": [0, 9.0],
                "pl1": [9.1, 12.0],
                "pl2": [12.1, 16.0],
                "pl3": [16.1, 100],
            },
            "source": "2014 PBMAS Manual",
            "verified": True,
        }
    }
    fw = load_framework(write(tmp_path, data))
    from kit.accountability.pbmas import bands_for

    ind = next(i for i in fw.pbmas.indicators if i.label == "SPED #12")
    assert bands_for(ind, "ALL", 2014, fw.pbmas).range_text() == "0.0 - 9.0"
    assert bands_for(ind, "ALL", 2013, fw.pbmas).range_text() == "0.0 - 8.5"
    assert bands_for(ind, "ALL", 2014, fw.pbmas).verified is False  # the base table is not


# --- mistakes: every problem at once, each named by its key ---------------------------------


def test_pbmas_errors_name_every_key_at_once(tmp_path):
    data = shipped("tx_pbmas")
    inds = data["pbmas"]["indicators"]
    inds[3]["cut"] = 70.05
    inds[5]["direction"] = "sideways"
    inds[7]["cutt"] = 3
    found = problems(tmp_path, data)
    assert "more than one decimal" in found["pbmas.indicators[3].cut"]
    assert "'higher' or 'lower'" in found["pbmas.indicators[5].direction"]
    assert "Allowed keys:" in found["pbmas.indicators[7].cutt"]
    assert "cut, " in found["pbmas.indicators[7].cutt"]


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            lambda p: p["indicators"][4]["ranges"].update(pl1=[1.8, 3.0]),
            "pbmas.indicators[4].ranges.pl1",
            "does not continue pl0",
        ),
        (
            lambda p: p["indicators"][0].update(program_area="ESL"),
            "pbmas.indicators[0].program_area",
            "'ESL' is not among program_areas",
        ),
        (
            lambda p: p["standards"]["cuts"].pop("WRITING"),
            "pbmas.indicators[0].cut",
            "no PL 0 cut or ranges for subject WRITING",
        ),
        (
            lambda p: p["indicators"][1].update(number=1),
            "pbmas.indicators[1].number",
            "BE/ESL #1 is also indicators[0]",
        ),
        (
            lambda p: p["indicators"][4].update(direction="higher"),
            "pbmas.indicators[4].ranges",
            "run lower-is-better but direction is higher",
        ),
        (
            lambda p: p["indicators"][5].update(codes=None),
            "pbmas.indicators[5].codes",
            "a diploma_rate indicator needs codes",
        ),
        (lambda p: p["ri"].pop("note"), "pbmas.ri.note", "verified: false needs a note"),
        (
            lambda p: p["standards"].update(bands=[20.0, 10.0]),
            "pbmas.standards.bands",
            "band widths must rise",
        ),
        (
            lambda p: p["staging"]["tables"][0].update(program_area="BE"),
            "pbmas.staging.tables[0].program_area",
            "'BE' is not among program_areas",
        ),
    ],
)
def test_pbmas_error_names_the_key(tmp_path, change, key, words):
    data = shipped("tx_pbmas")
    change(data["pbmas"])
    found = problems(tmp_path, data)
    assert key in found, found
    assert words in found[key], found[key]


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            lambda m: m["status_targets"]["rows"][0].update(
                cuts={"exceeding": 300, "on_track": 350, "approaching": 400}
            ),
            "msip.status_targets.rows[0].cuts",
            "exceeding >= on_track >= approaching",
        ),
        (lambda m: m["ccr"].pop("note"), "msip.ccr.note", "verified: false needs a note"),
        (lambda m: m["district_types"].pop("K8"), "msip.district_types", "K8 is missing"),
        (
            lambda m: m["district_types"]["K12"]["standards"][0]["rows"].update(ART=4),
            "msip.district_types.K12.standards[0].rows.ART",
            "not a academic row",
        ),
        (lambda m: m.update(mpi_model="mo_index"), "msip.mpi_model", "not among the framework's"),
        (
            lambda m: m["scoring"]["progress"]["credits"].update(on_track=1.5),
            "msip.scoring.progress.credits.on_track",
            "less than or equal to 1",
        ),
        (
            lambda m: m["accreditation"]["bands"].reverse(),
            "msip.accreditation.bands",
            "from the highest min_percent down to 0",
        ),
        (
            lambda m: m["progress_targets"]["rows"][0].update(subject="READING"),
            "msip.progress_targets.rows[0].subject",
            "'READING' is not a content area",
        ),
    ],
)
def test_msip_error_names_the_key(tmp_path, change, key, words):
    data = shipped("mo_msip5")
    change(data["msip"])
    found = problems(tmp_path, data)
    assert key in found, found
    assert words in found[key], found[key]


def test_msip_and_pbmas_problems_come_together(tmp_path):
    data = shipped("mo_msip5")
    data["msip"]["participation_min"] = 120
    data["msip"]["attendance"]["combine"] = "median"
    data["pbmas"] = shipped("tx_pbmas")["pbmas"]
    data["pbmas"]["indicators"][2]["kind"] = "pass_rate"
    with pytest.raises(FrameworkError) as err:
        load_framework(write(tmp_path, data))
    keys = err.value.keys
    assert keys == ["msip.participation_min", "msip.attendance.combine", "pbmas.indicators[2].kind"]
    assert err.value.key == "msip.participation_min"
    assert "3 problems" not in str(err.value)  # one message per section
    assert "Input should be 'mean_of_years' or 'pooled'" in str(err.value)
