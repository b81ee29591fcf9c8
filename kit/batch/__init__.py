"""Batch rendering: ``plan`` (jobs, overrides, keys), ``workers`` (the local pool, signals,
Dask), ``runner`` (run_batch, params-only) and ``manifest`` (manifest.json, index.html)."""
