"""kit._frames.records gives what DataFrame.to_dict("records") gives, value types included."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kit._frames import records


def _same(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert list(x) == list(y)
        for key in x:
            u, v = x[key], y[key]
            assert type(u) is type(v), key
            both_nan = isinstance(u, float) and math.isnan(u) and math.isnan(v)
            assert both_nan or u is v or u == v, key


FRAMES = {
    "mixed": pd.DataFrame(
        {
            "i64": np.array([1, 2, 3], dtype="int64"),
            "i32": np.array([4, 5, 6], dtype="int32"),
            "f64": [0.5, np.nan, 2.25],
            "f32": np.array([1.5, 2.5, np.nan], dtype="float32"),
            "flag": [True, False, True],
            "text": ["a", None, "c"],
            "lists": [["x"], [], ["y", "z"]],
            "nullable": pd.array([1, None, 3], dtype="Int64"),
            "maybe": pd.array([True, None, False], dtype="boolean"),
            "when": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
            "objects": [np.float64(1.5), np.int64(2), "w"],
        }
    ),
    "numbers only": pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, np.nan]}),
    "text only": pd.DataFrame({"a": ["x", "y"], "b": ["z", None]}),
    "empty": pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype=str)}),
    "no columns": pd.DataFrame(index=[0, 1]),
}


@pytest.mark.parametrize("name", list(FRAMES))
def test_records_is_to_dict_records(name):
    df = FRAMES[name]
    _same(records(df), df.to_dict("records"))


def test_records_of_a_filtered_frame_with_its_index():
    df = FRAMES["mixed"].iloc[[2, 0]]
    _same(records(df), df.to_dict("records"))


def test_records_of_a_facts_query(facts):
    df = facts.sql("SELECT * FROM performance ORDER BY ALL LIMIT 50")
    _same(records(df), df.to_dict("records"))
