"""Issued files, stored by content: ``$ZHIFA_VAR_DIR/documents/<aa>/<bb>/<sha256>``.

A file is written once (to a temporary name, then renamed into place) and made read-only; the
same bytes are the same file. Reading checks the hash again, so a file changed on disk is
refused rather than served as the issued document. A file whose issuing transaction rolled back
stays on disk unreferenced: harmless, as it is addressed by its content and never served
without a row that names it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from zhifa.core.config import get_settings
from zhifa.core.errors import ZhifaError


class StoredFileDamaged(ZhifaError):
    status = 500
    code = "stored_file_damaged"


def root() -> Path:
    return get_settings().var_dir / "documents"


def path_of(sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return root() / sha256[:2] / sha256[2:4] / sha256


def put(data: bytes) -> str:
    """Store the bytes (if not stored yet); their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def get(sha256: str) -> bytes:
    """The stored bytes, checked against their hash."""
    target = path_of(sha256)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise StoredFileDamaged(
            f"stored file {sha256} is missing from {root()}", "文书文件缺失", sha256=sha256
        ) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileDamaged(f"stored file {sha256} does not match its hash", "文书文件已被改动", sha256=sha256)
    return data
