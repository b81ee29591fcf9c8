"""Sentences built from facts (``describe_*``)."""
