"""Framework sections of the state rule systems: ``msip`` (Missouri MSIP 5) and ``pbmas`` (Texas).

The models live in :mod:`kit.frameworks.schema_msip` and :mod:`kit.frameworks.schema_pbmas`;
:func:`check_state_sections` is the loader's hook. It validates both sections before the
rest of the file and reports **every** problem at once, each with its key, e.g.::

    Framework mine.yaml: 2 problems in the pbmas section:
      - pbmas.indicators[3].cut: 70.05 has more than one decimal; cut points are published to 0.1
      - pbmas.indicators[5].direction: Input should be 'higher' or 'lower'. Allowed: 'higher' or 'lower'
"""

from __future__ import annotations

from kit.frameworks._schema_common import FrameworkProblems, validate_section
from kit.frameworks.schema_msip import MsipRules
from kit.frameworks.schema_pbmas import PbmasRules

__all__ = ["FrameworkProblems", "MsipRules", "PbmasRules", "check_state_sections"]


def check_state_sections(data: dict, origin: str) -> None:
    """Validate the ``msip`` and ``pbmas`` sections of a framework mapping, if present.

    Raises
    ------
    FrameworkProblems
        A :class:`~kit.errors.FrameworkError` whose message lists every problem with its key
        (``problems``: (key, message) pairs; ``key``: the first one).
    """
    problems: list[tuple[str, str]] = []
    messages: list[str] = []
    msip = data.get("msip")
    if msip is not None:
        try:
            validate_section(MsipRules, msip, "msip", origin)
        except FrameworkProblems as exc:
            problems += exc.problems
            messages.append(exc.message)
        models = data.get("index_models") or {}
        model_id = msip.get("mpi_model", "mo_mpi") if isinstance(msip, dict) else None
        if model_id is not None and model_id not in models:
            problems.append(
                (
                    "msip.mpi_model",
                    f"{model_id!r} is not among the framework's "
                    "index_models; add it (mo_mpi is shipped)",
                )
            )
            messages.append(f"Framework {origin}: msip.mpi_model: {problems[-1][1]}")
    pbmas = data.get("pbmas")
    if pbmas is not None:
        try:
            validate_section(PbmasRules, pbmas, "pbmas", origin)
        except FrameworkProblems as exc:
            problems += exc.problems
            messages.append(exc.message)
    if problems:
        raise FrameworkProblems(
            "\n".join(messages),
            problems=problems,
            fix="Every msip / pbmas key is explained in docs/accountability.md; compare with the "
            "shipped mo_msip5.yaml or tx_pbmas.yaml.",
        )
