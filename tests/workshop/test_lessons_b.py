"""The workshop lessons (b of two files, so the suite's workers share them), three ways."""

import pytest
from _three_way import three_way


@pytest.mark.slow
@pytest.mark.parametrize("name", ["2A_goals", "3_items", "9_benchmarks", "indexes"])
def test_lesson_three_ways(kernel, name, facts_path, schools, tmp_path):
    out = three_way(kernel, name, facts_path, schools, tmp_path)
    assert out["checkpoints"] >= 1
