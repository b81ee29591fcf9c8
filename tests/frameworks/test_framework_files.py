"""Framework YAML: the shipped files load; a user's own file works; mistakes name the key."""

import pytest
import yaml

from kit.errors import FrameworkError
from kit.frameworks.loader import load_framework, shipped_frameworks


@pytest.mark.parametrize("name", ["ma", "ny", "pa", "sc"])
def test_shipped_accountability_frameworks_load(name):
    fw = load_framework(name)
    assert fw.ayp is not None and fw.goals is not None and fw.amos
    assert fw.goals.primary in fw.goals.methods
    # Every unverified number says why.
    for amo in fw.amos.values():
        assert amo.verified or amo.note, amo
    for t in fw.ayp.tests:
        assert t.verified or t.note, t.id


def test_all_four_are_shipped():
    assert {"ma", "ny", "pa", "sc"} <= set(shipped_frameworks())


def test_massachusetts_schedule_and_what_follows_it():
    fw = load_framework("ma")
    amo = fw.amos["ma_cpi"]
    assert min(amo.schedule["ELA"]) == 2003 and max(amo.schedule["ELA"]) == 2013
    assert amo.schedule["ELA"][2013] == 100 and amo.target_year == 2014
    assert amo.after_schedule == "starting_point"  # explicit rule for the demo years
    assert (fw.accountability_min_n_all, fw.accountability_min_n) == (20, 40)
    assert "AMO schedule ma_cpi" in fw.accountability_unverified


def write(tmp_path, data):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def ma_data():
    from importlib import resources

    return yaml.safe_load((resources.files("kit.frameworks") / "ma.yaml").read_text())


def test_a_users_own_framework_file_works(tmp_path):
    data = ma_data()
    data["id"] = "mine"
    data["ayp"]["tests"][0]["label"] = "My status"
    fw = load_framework(write(tmp_path, data))
    assert fw.id == "mine" and fw.ayp.tests[0].label == "My status"


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            lambda d: d["ayp"]["tests"][0].update(kind="growth"),
            "ayp.tests.0",
            "Allowed kinds: averaging, ci, index, index_gain, safe_harbor, status",
        ),
        (
            lambda d: d["ayp"]["tests"][1].update(gap=0.1),
            "ayp.tests.1.gap",
            "Allowed keys: gap_fraction, goal, id, in_determination, kind, label, model",
        ),
        (
            lambda d: d["ayp"]["tests"][2].update(method="bayes"),
            "ayp.tests.2.method",
            "'wilson', 'wald', 'wald_target' or 'exact'",
        ),
        (lambda d: d["ayp"].update(amo="nope"), "ayp.amo", "amo 'nope' is not among amos"),
        (
            lambda d: d["ayp"].update(groups=["all", "pupils"]),
            "ayp.groups",
            "unknown group(s) pupils",
        ),
        (
            lambda d: d["ayp"]["tests"][1].update(gap_fraction=0.1),
            "ayp.tests.1",
            "exactly one of gap_fraction or target_year",
        ),
        (lambda d: d["goals"].update(primary="best"), "goals.primary", "'best' is not among"),
        (
            lambda d: d["goals"]["methods"]["gap_third"].update(measure="ny_index"),
            "goals.methods.gap_third",
            "measure 'ny_index' is neither pct_proficient",
        ),
        (
            lambda d: d["amos"]["ma_cpi"].update(after_schedule="extend"),
            "amos.ma_cpi.after_schedule",
            "'hold_last', 'starting_point' or 'none'",
        ),
        (
            lambda d: d.update(impact={"rule_sets": [{"label": "x", "tests": ["status"]}]}),
            "impact.rule_sets.0",
            "unknown test id(s) status",
        ),
        (
            lambda d: d["subgroups"].update(lowest={"gap": 5}),
            "subgroups.lowest.gap",
            "Allowed keys: min_gap, min_n",
        ),
    ],
)
def test_an_invalid_file_names_the_key_and_what_is_allowed(tmp_path, change, key, words):
    data = ma_data()
    change(data)
    with pytest.raises(FrameworkError) as err:
        load_framework(write(tmp_path, data))
    assert err.value.key == key, str(err.value)
    assert words in str(err.value), str(err.value)
