"""Writing output files so a reader never sees half of one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to a temporary file in ``path``'s folder, then rename it over ``path``.

    A killed process leaves either the old file or the new one, never a partial file. The
    file gets the permissions an ordinary write would (0666 less the umask, so usually
    ``rw-r--r--``), not the owner-only mode of a temporary file: reports are published.
    Raises OSError; the temporary file is removed on failure.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # Created with mode 0666 like open() would: the OS applies the umask (and any default
    # ACL of the folder), and no other thread's file creation is affected.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
