"""Rule engines over the metrics: AYP, goals, impact analysis and the goal workbook.

Each engine reads its rules from a framework (:mod:`kit.frameworks`) and its figures from the
metrics (:mod:`kit.metrics`); :mod:`kit.accountability.build` is the build's hook that
turns them into facts tables. A new state system is one module here.
"""
