"""File storage behind one interface: content-addressed by SHA-256 (local disk by default)."""
import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


class LocalStorage:
    """Files under a folder, named by their SHA-256; writes are atomic (temp file + rename)."""

    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        return key

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


def get_storage() -> LocalStorage:
    app = current_app._get_current_object()
    storage = app.extensions.get("ecocheck_storage")
    if storage is None:
        storage = app.extensions["ecocheck_storage"] = LocalStorage(app.config["STORAGE_PATH"])
    return storage
