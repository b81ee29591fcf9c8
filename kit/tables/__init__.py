"""Display tables (``tab_*``), one module per report family, and ``show_table`` /
``show_markdown`` (:mod:`kit.tables.display`) that put them in a report."""
