"""The report notebooks, one per report (kit/report/registry.py).

This folder ships inside the kit as ``kit.notebooks`` (pyproject.toml maps it), so an
installed kit renders its reports without a checkout; this file makes it a package.
"""
