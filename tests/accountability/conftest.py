"""Fixtures for the accountability tests (helpers live in acc_helpers.py)."""

from acc_helpers import frame_of, make_framework  # noqa: F401
