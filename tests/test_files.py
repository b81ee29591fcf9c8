"""Atomic output files: ordinary permissions, nothing left behind on failure."""

import os
import stat

import pytest

from kit._files import atomic_write


@pytest.fixture
def umask():
    def set_mask(mask):
        os.umask(mask)

    old = os.umask(0o022)
    yield set_mask
    os.umask(old)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_file_has_the_mode_an_ordinary_write_would(tmp_path, umask, mask, mode):
    umask(mask)
    path = atomic_write(tmp_path / "report.html", "<p>hi</p>")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_text() == "<p>hi</p>"
    # and an ordinary open() agrees
    (tmp_path / "plain.html").write_text("x")
    assert stat.S_IMODE((tmp_path / "plain.html").stat().st_mode) == mode


def test_replaces_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "r.html"
    path.write_bytes(b"old")
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = tmp_path / "r.html"
    path.write_bytes(b"old")

    with pytest.raises(TypeError):
        atomic_write(path, 12345)  # not bytes: the write fails after the temp file exists
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
