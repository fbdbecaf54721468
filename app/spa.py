"""Serving the built PWA (frontend/dist) with the SPA fallback; unknown API paths stay JSON 404s."""
from pathlib import Path

from flask import Flask, Response, abort, current_app, send_from_directory


def init_spa(app: Flask) -> None:
    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def spa(path: str):
        if path == "api" or path.startswith("api/"):
            abort(404)  # an unknown API path is a JSON 404, never the app shell
        return serve_frontend(path)


NO_CACHE = {"index.html", "sw.js", "registerSW.js", "manifest.webmanifest"}
STATIC_SUFFIXES = {".js", ".mjs", ".css", ".map", ".json", ".webmanifest", ".png", ".jpg", ".jpeg", ".gif", ".svg",
                   ".ico", ".webp", ".woff", ".woff2", ".ttf", ".txt", ".xml", ".wasm"}


def serve_frontend(path: str):
    dist = Path(current_app.config["FRONTEND_DIST"])
    if not (dist / "index.html").exists():
        return Response("<!doctype html><meta charset=utf-8><p>前端尚未构建：请运行 make run</p>",
                        status=503, mimetype="text/html")
    target = (dist / path).resolve() if path else None
    if target and target.is_file() and dist.resolve() in target.parents:
        response = _buffered(send_from_directory(dist, path))
        name = target.name
        if name in NO_CACHE or name.startswith("workbox-"):
            response.headers["Cache-Control"] = "no-cache"
        elif path.startswith("assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
    if path.startswith("assets/") or Path(path).suffix.lower() in STATIC_SUFFIXES:
        # A missing build file is a 404, never the app shell: a stale service worker would cache HTML as JS.
        abort(404)
    response = _buffered(send_from_directory(dist, "index.html"))
    response.headers["Cache-Control"] = "no-cache"
    return response


def _buffered(response: Response) -> Response:
    """The file read into memory (the build's files are small), so compression (app/common/compression.py)
    sees a body, not a stream it would wrap without closing the file."""
    response.direct_passthrough = False
    response.make_sequence()
    return response
