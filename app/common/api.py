"""flask-smorest Api that answers every HTTP error in the project's error shape."""
from flask import current_app, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from app.common.errors import DEFAULTS, describe_field_errors, error_response
from app.common.schemas import ErrorSchema


class EcoApi(Api):
    ERROR_SCHEMA = ErrorSchema  # documents {"error": {code, message, details}} as every operation's default

    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        app.after_request(_allow_header_of_api_paths)

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        code = error.code or 500
        headers = dict(data.get("headers") or {})
        if code in (404, 405) and request.path.startswith("/api/"):
            # The SPA's catch-all GET route also matches /api/… paths; the API's own routes decide.
            methods = api_methods(request.path)
            if code == 405 and not methods:
                code = 404
            elif methods and request.method not in methods:
                code, headers["Allow"] = 405, ", ".join(sorted(methods))
        elif code == 405 and getattr(error, "valid_methods", None):
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        messages = data.get("errors") or data.get("messages")
        if messages and code in (400, 422):
            # webargs nests by location: {"json": {"field": ["msg"]}}
            fields: dict = {}
            for location, errs in messages.items():
                if isinstance(errs, dict):
                    fields.update(errs)
                else:
                    fields[location] = errs
            if set(fields) == {"json"} and code == 400:
                return error_response(400, "bad_json", "请求体不是有效的 JSON", headers=headers)
            return error_response(422, "validation_error", describe_field_errors(fields),
                                  {"fields": fields}, headers)
        default_code, default_message = DEFAULTS.get(code, DEFAULTS[500 if code >= 500 else 400])
        if not request.path.startswith("/api/"):
            page = f"<!doctype html><meta charset=utf-8><title>{code}</title><p>{default_message}</p>"
            return page, code, {"Content-Type": "text/html; charset=utf-8", **headers}
        return error_response(code, default_code, data.get("message") or default_message, headers=headers)


def api_methods(path: str) -> set[str]:
    """The methods the API's own routes (not the SPA fallback) answer for `path`; empty if none."""
    adapter = current_app.url_map.bind("localhost")
    methods = set()
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        try:
            endpoint, _ = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != "spa":
            methods.add(method)
    if "GET" in methods:
        methods.add("HEAD")
    return methods | {"OPTIONS"} if methods else methods


def _allow_header_of_api_paths(response):
    """Flask's automatic OPTIONS answer lists the SPA route's GET too; list what the API path allows."""
    if request.method == "OPTIONS" and request.path.startswith("/api/") and "Allow" in response.headers:
        methods = api_methods(request.path)
        if methods:
            response.headers["Allow"] = ", ".join(sorted(methods))
    return response
