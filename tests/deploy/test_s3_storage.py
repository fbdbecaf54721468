"""S3 storage backend against a real S3-protocol server on loopback (moto), through the upload API."""
import hashlib
import io
import os

import pytest
from sqlalchemy import select

from app.common.storage import LocalStorage, ObjectMissing, S3Storage, StorageError, get_storage, make_storage
from app.evidence.models import Upload
from app.extensions import db
from tests.deploy.conftest import S3_CREDENTIALS, s3_settings
from tests.factories import jpeg_bytes


def _keys(client, bucket):
    return {item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def _layout(sha):
    return f"{sha[:2]}/{sha[2:4]}/{sha}"


def _count_calls(storage, operation):
    calls = []
    storage.client.meta.events.register(f"before-call.s3.{operation}", lambda **kw: calls.append(operation))
    return calls


def test_upload_api_stores_in_s3_and_reads_back(s3_app, s3_bucket, auth, world):
    bucket, client = s3_bucket
    local_root = s3_app.config["STORAGE_PATH"]
    local_before = sum(len(f) for _, _, f in os.walk(local_root)) if os.path.isdir(local_root) else 0
    ehs = auth.client("ehs-a")
    data = jpeg_bytes((80, 60))
    response = ehs.post("/api/uploads", data={"file": (io.BytesIO(data), "photo.jpg"), "client_id": "s3-1"},
                        content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    sha = hashlib.sha256(data).hexdigest()
    assert body["sha256"] == sha
    with s3_app.app_context():
        storage = get_storage()
        assert isinstance(storage, S3Storage)
    keys = _keys(client, bucket)
    with s3_app.app_context():
        upload = db.session.get(Upload, body["id"])
        thumb_key, copy_key = upload.thumb_key, upload.watermark_key
    # the file, its thumbnail and its watermarked copy, content-addressed
    assert keys == {_layout(sha), _layout(thumb_key), _layout(copy_key)}
    watermarked = ehs.get(body["watermarked_url"])
    assert watermarked.status_code == 200 and hashlib.sha256(watermarked.data).hexdigest() == copy_key
    stored = client.get_object(Bucket=bucket, Key=thumb_key[:2] + "/" + thumb_key[2:4] + "/" + thumb_key)
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == thumb_key

    file = ehs.get(body["url"])
    assert file.status_code == 200 and file.data == data
    assert file.headers["X-Content-SHA256"] == sha
    thumb = ehs.get(body["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.data[:3] == b"\xff\xd8\xff"
    local_after = sum(len(f) for _, _, f in os.walk(local_root)) if os.path.isdir(local_root) else 0
    assert local_after == local_before  # nothing went to the node's disk


def test_same_bytes_uploaded_twice_make_one_object(s3_app, s3_bucket, auth, world):
    bucket, client = s3_bucket
    data = jpeg_bytes((70, 50))
    for client_id in ("dup-1", "dup-2"):
        response = auth.client("ehs-a").post(
            "/api/uploads", data={"file": (io.BytesIO(data), "p.jpg"), "client_id": client_id},
            content_type="multipart/form-data")
        assert response.status_code == 201
    with s3_app.app_context():
        uploads = db.session.scalars(select(Upload).where(Upload.client_id.in_(("dup-1", "dup-2")))).all()
        copies = {_layout(u.watermark_key) for u in uploads}  # (a copy names its upload time: one or two)
        shared = {_layout(u.sha256) for u in uploads} | {_layout(u.thumb_key) for u in uploads}
    assert len(shared) == 2  # one original + one thumbnail, shared by both uploads
    assert _keys(client, bucket) == shared | copies


def test_put_is_idempotent_and_skips_the_upload_when_present(s3_app, s3_bucket):
    bucket, client = s3_bucket
    with s3_app.app_context():
        storage = get_storage()
        puts, heads = _count_calls(storage, "PutObject"), _count_calls(storage, "HeadObject")
        data = b"evidence bytes \xe6\xb1\xa1"
        key = storage.put(data)
        first = client.head_object(Bucket=bucket, Key=_layout(key))
        assert storage.put(data) == key
        assert key == hashlib.sha256(data).hexdigest()
        assert len(puts) == 1 and len(heads) == 2  # the second put only asked HEAD
        assert client.head_object(Bucket=bucket, Key=_layout(key))["ETag"] == first["ETag"]
        assert storage.exists(key) and storage.get(key) == data


def test_missing_object_raises_a_clear_error(s3_app, s3_bucket):
    bucket, _ = s3_bucket
    missing = hashlib.sha256(b"never stored").hexdigest()
    with s3_app.app_context():
        storage = get_storage()
        assert storage.exists(missing) is False
        with pytest.raises(ObjectMissing, match=missing) as caught:
            storage.get(missing)
    assert bucket in str(caught.value)
    assert isinstance(caught.value, FileNotFoundError)  # callers that caught FileNotFoundError still do


def test_tampered_object_is_refused(s3_app, s3_bucket):
    bucket, client = s3_bucket
    key = hashlib.sha256(b"original").hexdigest()
    client.put_object(Bucket=bucket, Key=_layout(key), Body=b"swapped")
    with s3_app.app_context(), pytest.raises(StorageError, match="SHA-256"):
        get_storage().get(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABCDEF" * 11, "", "0" * 63])
def test_keys_other_than_sha256_are_rejected(s3_app, s3_bucket, tmp_path, key):
    with s3_app.app_context():
        for storage in (get_storage(), LocalStorage(str(tmp_path))):
            with pytest.raises(ValueError):
                storage.get(key)
            with pytest.raises(ValueError):
                storage.exists(key)


def test_prefix_is_prepended_to_the_shared_layout(s3_endpoint, s3_bucket, app):
    bucket, client = s3_bucket
    settings = s3_settings(s3_endpoint, bucket, S3_PREFIX="/ecocheck/prod/")
    original = dict(app.config)
    app.config.update(settings)
    try:
        storage = make_storage(app)
    finally:
        app.config.clear()
        app.config.update(original)
    key = storage.put(b"prefixed")
    assert _keys(client, bucket) == {"ecocheck/prod/" + _layout(key)}


def test_unreachable_endpoint_is_a_storage_error(app):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    storage = S3Storage("b", endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1",
                        access_key_id="k", secret_access_key="s", addressing_style="path")
    with pytest.raises(StorageError, match="不可用"):
        storage.put(b"x")


@pytest.mark.parametrize("settings,expected", [
    ({}, LocalStorage),
    ({"STORAGE_BACKEND": "local"}, LocalStorage),
    ({"STORAGE_BACKEND": "LOCAL"}, LocalStorage),
    ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", **S3_CREDENTIALS}, S3Storage),
    ({"STORAGE_BACKEND": "s3"}, "S3_BUCKET"),
    ({"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE"),
    ({"STORAGE_BACKEND": "ftp"}, "STORAGE_BACKEND"),
])
def test_backend_is_chosen_from_config(app, monkeypatch, settings, expected):
    for name in ("STORAGE_BACKEND", "S3_BUCKET", "S3_ADDRESSING_STYLE"):
        monkeypatch.delenv(name, raising=False)
    original = dict(app.config)
    app.config.update(settings)
    try:
        if isinstance(expected, str):
            with pytest.raises(StorageError, match=expected):
                make_storage(app)
        else:
            assert type(make_storage(app)) is expected
    finally:
        app.config.clear()
        app.config.update(original)


def test_environment_is_used_when_config_has_no_key(app, monkeypatch):
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("S3_BUCKET", "from-env")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://oss-cn-hangzhou.aliyuncs.com")
    monkeypatch.setenv("S3_REGION", "oss-cn-hangzhou")
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "ak")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "sk")
    monkeypatch.setenv("S3_ADDRESSING_STYLE", "virtual")
    storage = make_storage(app)
    assert isinstance(storage, S3Storage) and storage.bucket == "from-env"
    # virtual-hosted style (OSS/COS require it): the bucket becomes part of the host name
    url = storage.client.generate_presigned_url("get_object", Params={"Bucket": "from-env", "Key": "k"})
    assert url.startswith("https://from-env.oss-cn-hangzhou.aliyuncs.com/k?")


def test_path_style_keeps_the_bucket_in_the_path(app):
    storage = S3Storage("evidence", endpoint_url="http://minio.internal:9000", region="us-east-1",
                        access_key_id="k", secret_access_key="s", addressing_style="path")
    url = storage.client.generate_presigned_url("get_object", Params={"Bucket": "evidence", "Key": "k"})
    assert url.startswith("http://minio.internal:9000/evidence/k?")
