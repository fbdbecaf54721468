#!/usr/bin/env python3
"""Copy EcoCheck's content-addressed objects between the S3 bucket and a local folder (backup/restore).

    objects.py pull DIR     bucket -> DIR/ab/cd/<sha256>   (skips files already there; checks every SHA-256)
    objects.py push DIR     DIR -> bucket                  (skips objects already there: HEAD first)
    objects.py check DIR    read SHA-256 keys from stdin; exit 1 listing any missing from DIR

Settings come from the environment, as for the app: S3_ENDPOINT_URL, S3_BUCKET, S3_REGION, S3_ACCESS_KEY_ID,
S3_SECRET_ACCESS_KEY, S3_ADDRESSING_STYLE (auto|path|virtual), S3_PREFIX. Objects never change (the key
is the SHA-256 of the bytes), so an incremental copy is a complete one. Prints one line per copied key.
"""
import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path

KEY_RE = re.compile(r"[0-9a-f]{64}")


def layout(key: str) -> str:
    return f"{key[:2]}/{key[2:4]}/{key}"


def client():
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=os.environ.get("S3_ENDPOINT_URL") or None,
        region_name=os.environ.get("S3_REGION") or None,
        aws_access_key_id=os.environ.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=os.environ.get("S3_SECRET_ACCESS_KEY") or None,
        config=Config(signature_version="s3v4",
                      s3={"addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or "auto"},
                      retries={"max_attempts": 5, "mode": "standard"},
                      request_checksum_calculation="when_required",
                      response_checksum_validation="when_required"))


def prefix() -> str:
    raw = os.environ.get("S3_PREFIX", "").strip("/")
    return raw + "/" if raw else ""


def bucket() -> str:
    name = os.environ.get("S3_BUCKET")
    if not name:
        sys.exit("S3_BUCKET 未设置")
    return name


def pull(folder: Path) -> int:
    s3, name, pre, copied, bad = client(), bucket(), prefix(), 0, 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=pre):
        for item in page.get("Contents", []):
            key = item["Key"][len(pre):].rsplit("/", 1)[-1]
            if not KEY_RE.fullmatch(key) or item["Key"][len(pre):] != layout(key):
                continue  # not one of ours
            target = folder / layout(key)
            if target.exists() and target.stat().st_size == item["Size"]:
                continue
            data = s3.get_object(Bucket=name, Key=item["Key"])["Body"].read()
            if hashlib.sha256(data).hexdigest() != key:
                print(f"校验失败（未保存）：{key}", file=sys.stderr)
                bad += 1
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
            print(key)
            copied += 1
    print(f"已复制 {copied} 个对象", file=sys.stderr)
    return 1 if bad else 0


def push(folder: Path) -> int:
    from botocore.exceptions import ClientError

    s3, name, pre, copied = client(), bucket(), prefix(), 0
    for path in sorted(folder.glob("??/??/*")):
        key = path.name
        if not KEY_RE.fullmatch(key) or path.relative_to(folder).as_posix() != layout(key):
            continue
        try:
            s3.head_object(Bucket=name, Key=pre + layout(key))
            continue
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) not in ("404", "NoSuchKey", "NotFound"):
                raise
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != key:
            print(f"备份文件已损坏，跳过：{path}", file=sys.stderr)
            continue
        s3.put_object(Bucket=name, Key=pre + layout(key), Body=data, ContentType="application/octet-stream",
                      Metadata={"sha256": key})
        print(key)
        copied += 1
    print(f"已上传 {copied} 个对象", file=sys.stderr)
    return 0


def check(folder: Path) -> int:
    keys = {line.strip() for line in sys.stdin if KEY_RE.fullmatch(line.strip())}
    missing = sorted(k for k in keys if not (folder / layout(k)).is_file())
    for key in missing:
        print(f"缺少对象：{key}")
    print(f"检查 {len(keys)} 个对象，缺少 {len(missing)} 个", file=sys.stderr)
    return 1 if missing else 0


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("pull", "push", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[2])
    if argv[1] != "pull" and not folder.is_dir():
        print(f"目录不存在：{folder}", file=sys.stderr)
        return 2
    return {"pull": pull, "push": push, "check": check}[argv[1]](folder)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
