"""One error shape for the whole API: {"error": {"code", "message", "details"}}."""
from flask import jsonify

DEFAULTS = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "无权执行该操作"),
    404: ("not_found", "未找到该对象"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "当前状态不允许该操作"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的文件类型"),
    422: ("validation_error", "提交的数据有误"),
    429: ("too_many_requests", "操作过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
    503: ("unavailable", "服务暂不可用"),
}


class DomainError(Exception):
    """A rule the user's request broke; the API maps it to its status and our error shape."""

    status = 400

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 details: dict | None = None, status: int | None = None):
        if status is not None:
            self.status = status
        default_code, default_message = DEFAULTS.get(self.status, DEFAULTS[400])
        self.code = code or default_code
        self.message = message or default_message
        self.details = details or {}
        super().__init__(self.message)


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """An illegal transition or a duplicate; 409."""

    status = 409


class PayloadTooLarge(DomainError):
    status = 413


class UnsupportedMediaType(DomainError):
    status = 415


class ValidationFailed(DomainError):
    status = 422


class TooManyRequests(DomainError):
    status = 429


def error_response(status: int, code: str | None = None, message: str | None = None,
                   details: dict | None = None, headers: dict | None = None):
    default_code, default_message = DEFAULTS.get(status, DEFAULTS[500 if status >= 500 else 400])
    body = {"error": {"code": code or default_code, "message": message or default_message,
                      "details": details or {}}}
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def field_error(field: str, message: str, status: int = 422, code: str = "validation_error"):
    """Raise-ready error naming one field, in the same shape as schema validation errors."""
    return DomainError(f"{FIELD_LABELS.get(field, field)}：{message}", code=code,
                       details={"fields": {field: [message]}}, status=status)


# Chinese names for fields that appear in messages; an unknown field is shown by its key.
FIELD_LABELS = {
    "username": "用户名", "password": "密码", "old_password": "原密码", "new_password": "新密码",
    "name": "名称", "uscc": "统一社会信用代码", "region_code": "行政区划", "industry_code": "行业代码",
    "industry_name": "行业名称", "permit_class": "排污许可管理类别", "permit_no": "排污许可证编号",
    "permit_valid_until": "许可证有效期", "credit_grade": "环境信用等级", "role": "角色",
    "enterprise_id": "企业", "display_name": "姓名", "phone": "电话", "file": "文件",
    "client_id": "客户端编号", "answers": "答案", "item_id": "检查项", "result": "检查结果",
    "value": "填写值", "note": "备注", "upload_ids": "照片", "captured_at": "拍摄时间",
    "title": "标题", "description": "描述", "severity": "严重程度", "days": "延期天数",
    "reason": "理由", "decision": "决定", "comment": "意见", "new_deadline": "新期限",
    "address": "地址", "contact_name": "联系人", "contact_phone": "联系电话", "flags": "企业标识",
    "status": "状态", "page": "页码", "per_page": "每页条数", "endpoint": "推送地址",
}


def describe_field_errors(fields: dict) -> str:
    parts = []
    for name, messages in fields.items():
        label = FIELD_LABELS.get(name, name)
        if isinstance(messages, dict):  # nested or list-index errors
            parts.append(f"{label}（内容有误）")
        else:
            parts.append(f"{label}（{'；'.join(str(m) for m in messages)}）")
    return "以下字段有误：" + "，".join(parts)
