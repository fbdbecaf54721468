"""File storage behind one interface: content-addressed by SHA-256 (local disk by default, or S3).

Every backend has the same three methods — put(data) -> key, get(key) -> bytes, exists(key) — and the
same key layout (`ab/cd/<sha256>`), so files can be copied between backends without renaming.
`get_storage()` picks the backend from STORAGE_BACKEND (local|s3): app config first, then the environment.
"""
import hashlib
import os
import re
import tempfile
from pathlib import Path

from flask import Flask, current_app

KEY_RE = re.compile(r"[0-9a-f]{64}")
BACKENDS = ("local", "s3")
ADDRESSING_STYLES = ("auto", "path", "virtual")


class StorageError(RuntimeError):
    """The object store failed or is misconfigured (an operations problem, not a user error)."""


class ObjectMissing(FileNotFoundError):
    """No object under this key (a FileNotFoundError, so callers that caught that still work)."""

    def __init__(self, key: str, where: str):
        super().__init__(f"存储中不存在对象 {key}（{where}）")
        self.key = key


def object_path(key: str) -> str:
    """`ab/cd/<key>`: the shared layout of every backend; rejects anything but a SHA-256 hex digest."""
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise ValueError(f"存储键应为64位小写十六进制 SHA-256：{key!r}")
    return f"{key[:2]}/{key[2:4]}/{key}"


class LocalStorage:
    """Files under a folder, named by their SHA-256; writes are atomic (temp file + rename)."""

    def __init__(self, root: str):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / object_path(key)

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
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise ObjectMissing(key, f"本地目录 {self.root}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


class S3Storage:
    """Objects in an S3-compatible bucket (AWS S3, MinIO, 阿里云 OSS, 腾讯云 COS) under `<prefix>ab/cd/<sha>`.

    put() is idempotent: a HEAD first, and the upload is skipped when the object is already there (two
    nodes racing on the same bytes write the same object, which is harmless). get() checks the SHA-256 of
    what it read, so a truncated or swapped object never reaches a user as evidence.
    """

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 addressing_style: str = "auto", prefix: str = "", client=None):
        if not bucket:
            raise StorageError("STORAGE_BACKEND=s3 需要配置 S3_BUCKET")
        if addressing_style not in ADDRESSING_STYLES:
            raise StorageError(f"S3_ADDRESSING_STYLE 应为 {'/'.join(ADDRESSING_STYLES)}：{addressing_style!r}")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or self._make_client(endpoint_url, region, access_key_id, secret_access_key,
                                                  addressing_style)

    @staticmethod
    def _make_client(endpoint_url, region, access_key_id, secret_access_key, addressing_style):
        import boto3  # only S3 deployments need boto3 at runtime
        from botocore.config import Config

        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style},
            connect_timeout=5, read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
            # Newer botocore adds CRC checksums to every PUT by default; several S3-compatible
            # services (OSS, COS, older MinIO) reject or mishandle them. Send them only when required.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        # Without explicit keys boto3 uses its default chain (AWS_* variables, profile, instance role).
        return boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, region_name=region or None,
            aws_access_key_id=access_key_id or None, aws_secret_access_key=secret_access_key or None,
            config=config)

    def object_key(self, key: str) -> str:
        return self.prefix + object_path(key)

    def _where(self) -> str:
        return f"S3 桶 {self.bucket}"

    @staticmethod
    def _is_missing(exc) -> bool:
        error = getattr(exc, "response", {}).get("Error", {})
        return str(error.get("Code")) in ("404", "NoSuchKey", "NotFound")

    def exists(self, key: str) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
            return True
        except ClientError as exc:
            if self._is_missing(exc):
                return False
            raise StorageError(f"查询对象失败（{self._where()}）：{exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"对象存储不可用（{self._where()}）：{exc}") from exc

    def put(self, data: bytes) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        key = hashlib.sha256(data).hexdigest()
        if self.exists(key):
            return key
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.object_key(key), Body=data,
                                   ContentType="application/octet-stream", Metadata={"sha256": key})
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"上传对象失败（{self._where()}）：{exc}") from exc
        return key

    def get(self, key: str) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            data = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"].read()
        except ClientError as exc:
            if self._is_missing(exc):
                raise ObjectMissing(key, self._where()) from None
            raise StorageError(f"读取对象失败（{self._where()}）：{exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"对象存储不可用（{self._where()}）：{exc}") from exc
        if hashlib.sha256(data).hexdigest() != key:
            raise StorageError(f"对象内容与 SHA-256 不符：{key}（{self._where()}）")
        return data


def setting(app: Flask, name: str, default: str | None = None):
    """A deployment setting: app config first, then the environment, then the default."""
    value = app.config.get(name)
    if value in (None, ""):
        value = os.environ.get(name, "")
    return value if value not in (None, "") else default


def make_storage(app: Flask) -> LocalStorage | S3Storage:
    backend = str(setting(app, "STORAGE_BACKEND", "local")).strip().lower()
    if backend == "local":
        return LocalStorage(setting(app, "STORAGE_PATH", str(Path(app.instance_path) / "files")))
    if backend == "s3":
        return S3Storage(
            setting(app, "S3_BUCKET", ""),
            endpoint_url=setting(app, "S3_ENDPOINT_URL"),
            region=setting(app, "S3_REGION"),
            access_key_id=setting(app, "S3_ACCESS_KEY_ID"),
            secret_access_key=setting(app, "S3_SECRET_ACCESS_KEY"),
            addressing_style=str(setting(app, "S3_ADDRESSING_STYLE", "auto")).strip().lower(),
            prefix=setting(app, "S3_PREFIX", ""),
        )
    raise StorageError(f"STORAGE_BACKEND 应为 {'|'.join(BACKENDS)}：{backend!r}")


def get_storage() -> LocalStorage | S3Storage:
    """The app's storage backend, built once per app (boto3 clients are thread-safe)."""
    app = current_app._get_current_object()
    storage = app.extensions.get("ecocheck_storage")
    if storage is None:
        storage = app.extensions["ecocheck_storage"] = make_storage(app)
    return storage
