"""Response compression (Flask-Compress): the built PWA and the JSON API, br/zstd/gzip as the client accepts.

A phone on a slow link downloads the app shell and a self-check's JSON compressed whether or not nginx sits
in front (docs/deployment.md: nginx may compress too; a response already carrying Content-Encoding is left
alone). The session endpoints are not compressed: they carry the CSRF token, and a compressed secret next to
attacker-chosen text is the BREACH side channel (docs/security.md).
"""
from flask import Flask, Response, request
from flask_compress import Compress

compress = Compress()
UNCOMPRESSED_PREFIXES = ("/api/auth/",)


def init_compression(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # registered below, with the exclusions
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/plain", "text/javascript", "application/javascript", "application/json",
        "application/manifest+json", "application/problem+json", "image/svg+xml"])
    compress.init_app(app)

    @app.after_request
    def compress_response(response: Response) -> Response:
        if request.path.startswith(UNCOMPRESSED_PREFIXES) or response.status_code == 206:  # a byte range
            return response
        return compress.after_request(response)
