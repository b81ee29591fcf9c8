"""Rule engines over the metrics: AYP, goals, impact analysis, the goal workbook, and the
state accountability systems.

Each engine reads its rules from a framework (:mod:`kit.frameworks`) and its figures from the
metrics (:mod:`kit.metrics`); :mod:`kit.accountability.build` is the build's hook that
turns them into facts tables. A new state system is one module here:

- :mod:`kit.accountability.msip`: Missouri MSIP 5 Annual Performance Report (``msip_apr``);
  its measures in :mod:`~kit.accountability.msip_measures`, growth in
  :mod:`~kit.accountability.msip_growth`.
- :mod:`kit.accountability.pbmas`: Texas PBMAS performance levels and stages (``pbmas``);
  numerators and denominators in :mod:`~kit.accountability.pbmas_measures`.

Every rule and number comes from a framework section (``msip`` / ``pbmas``, see
:mod:`kit.frameworks.schema_states`); these modules only do the arithmetic, exactly where a
boundary is decided (:mod:`~kit.accountability._exact`).
"""
