"""Fixtures for deployment tests: an S3-protocol server (moto) on loopback and an app switched to it."""
import uuid

import pytest

S3_CREDENTIALS = {"S3_ACCESS_KEY_ID": "test-access-key", "S3_SECRET_ACCESS_KEY": "test-secret-key",
                  "S3_REGION": "us-east-1", "S3_ADDRESSING_STYLE": "path"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server in a thread on 127.0.0.1 (free port); its URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _client(endpoint):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=S3_CREDENTIALS["S3_REGION"],
        aws_access_key_id=S3_CREDENTIALS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["S3_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path"}))


@pytest.fixture
def s3_bucket(s3_endpoint):
    """A fresh bucket per test; (name, boto3 client) — the client inspects what the app stored."""
    client = _client(s3_endpoint)
    name = f"ecocheck-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    yield name, client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=name, Key=item["Key"])
    client.delete_bucket(Bucket=name)


def s3_settings(endpoint: str, bucket: str, **extra) -> dict:
    return {"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket, **S3_CREDENTIALS, **extra}


@pytest.fixture
def s3_app(app, s3_endpoint, s3_bucket):
    """The session app pointed at the test bucket for one test; config and storage cache restored after."""
    settings = s3_settings(s3_endpoint, s3_bucket[0])
    saved = {key: app.config[key] for key in settings if key in app.config}
    app.config.update(settings)
    app.extensions.pop("ecocheck_storage", None)
    try:
        yield app
    finally:
        app.extensions.pop("ecocheck_storage", None)
        for key in settings:
            app.config.pop(key, None)
        app.config.update(saved)
