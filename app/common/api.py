"""flask-smorest Api that answers every HTTP error in the project's error shape."""
from flask import current_app, request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from app.common.errors import DEFAULTS, describe_field_errors, error_response
from app.common.schemas import ErrorSchema


class EcoApi(Api):
    ERROR_SCHEMA = ErrorSchema  # documents {"error": {code, message, details}} as every operation's default

    def handle_http_exception(self, error):
        data = getattr(error, "data", None) or {}
        code = error.code or 500
        if code == 405 and _only_the_app_shell_matches():
            code = 404
        headers = data.get("headers") or {}
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


def _only_the_app_shell_matches() -> bool:
    """A POST to an unknown /api path matches only the SPA's GET route: that is a 404, not a 405."""
    if not request.path.startswith("/api/"):
        return False
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(request.path, method="GET")
    except HTTPException:
        return True
    return endpoint == "spa"
