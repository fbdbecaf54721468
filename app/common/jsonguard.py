"""Refuse JSON bodies that are too large or nested too deeply, before anything parses them.

Python's json module recurses per nesting level: `[` × 100 000 raises RecursionError deep inside the
parser (a 500), and a few thousand levels still break later recursive code (schemas, the JSON column
serializer). The body is scanned once, without recursion, for its bracket depth outside strings.
"""
import re

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.common.errors import error_response

DEFAULT_MAX_JSON_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 32
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_depth(body: bytes, limit: int) -> int:
    """The nesting depth of [ and { in a JSON text (strings ignored), exact up to `limit`: a result
    above `limit` means deeper than allowed (counting stops there)."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def guard_json_body():
    """before_request: 413 for a JSON body over MAX_JSON_BYTES, 400 for one nested over MAX_JSON_DEPTH."""
    if not request.is_json:
        return None
    limit = int(current_app.config.get("MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES))
    too_large = error_response(413, "payload_too_large", f"请求体过大（JSON 最多 {limit // 1024} KB）")
    if request.content_length is not None and request.content_length > limit:
        return too_large
    request.max_content_length = limit  # also bounds a chunked body while it is read
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        return too_large
    max_depth = int(current_app.config.get("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))
    few_brackets = body.count(b"[") + body.count(b"{") <= max_depth  # cannot be too deep: skip the scan
    if not few_brackets and json_depth(body, max_depth) > max_depth:
        return error_response(400, "json_too_deep", f"请求体嵌套层级过深（最多 {max_depth} 层）")
    return None
