"""Fixtures for the accountability tests (helpers live in acc_helpers.py) and for the state
rule engines: the shipped MSIP 5 and PBMAS rules."""

from __future__ import annotations

import pytest
from acc_helpers import frame_of, make_framework  # noqa: F401

from kit.frameworks.loader import load_framework


@pytest.fixture(scope="session")
def msip_fw():
    return load_framework("mo_msip5")


@pytest.fixture(scope="session")
def msip_rules(msip_fw):
    return msip_fw.msip


@pytest.fixture(scope="session")
def mpi_points(msip_fw):
    return msip_fw.index_models["mo_mpi"].points


@pytest.fixture(scope="session")
def pbmas_rules():
    return load_framework("tx_pbmas").pbmas
