"""Charts with alt text (``plot_*``)."""
