"""The workshop lessons (a of two files, so the suite's workers share them), three ways."""

import pytest
from _three_way import three_way


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["00_inventory", "0B_disaggregate", "0C_crosstab", "1A_lowest_groups"]
)
def test_lesson_three_ways(kernel, name, facts_path, schools, tmp_path):
    out = three_way(kernel, name, facts_path, schools, tmp_path)
    assert out["checkpoints"] >= 1
