"""Report parameters as analysts type them: one leaf helper, imported by any layer.

``papermill -p subjects ELA`` passes the text ``"ELA"``, ``-p subjects '["ELA"]'`` the text
of a list, a YAML file a real list; a notebook's own cell may hold any of them. Each is
read the same way, so no subject is ever taken letter by letter.
"""

from __future__ import annotations

import ast

from kit.errors import ParameterError

SUBJECTS_WANTED = (
    'a list such as ["ELA", "MATH"], a comma list such as "ELA,MATH", one subject such as '
    '"ELA", or None for every subject'
)


def as_subject_list(value: object) -> list[str] | None:
    """``subjects`` as a list of upper-case codes, or None (every subject).

    Accepts a list or tuple of codes, one code (``"ELA"``), a comma list (``"ELA,MATH"``)
    and the text of a list (``'["ELA"]'``, papermill's ``-p`` and ``-r``).

    Raises
    ------
    ParameterError
        For anything else, saying what is wanted.
    """
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "(")):
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise ParameterError(
                    f"subjects {value!r} is not a list that can be read; give {SUBJECTS_WANTED}."
                ) from None
        else:
            value = [part for part in text.split(",")]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        codes = [v.strip().upper() for v in value if v.strip()]
        return list(dict.fromkeys(codes)) or None
    raise ParameterError(f"subjects {value!r} is not understood; give {SUBJECTS_WANTED}.")
