"""Chinese default messages for marshmallow fields, so validation errors read in Chinese."""
from marshmallow import Schema, fields

_MESSAGES = {
    fields.Field: {"required": "必填项", "null": "不能为空", "validator_failed": "取值无效"},
    fields.String: {"invalid": "应为文本", "invalid_utf8": "不是有效的 UTF-8 文本"},
    fields.Integer: {"invalid": "应为整数"},
    fields.Number: {"invalid": "应为数字", "too_large": "数值过大", "special": "数值无效"},
    fields.Float: {"special": "数值无效"},
    fields.Decimal: {"special": "数值无效"},
    fields.Boolean: {"invalid": "应为是/否"},
    fields.DateTime: {"invalid": "日期时间格式有误", "invalid_awareness": "日期时间格式有误", "format": "日期时间格式有误"},
    fields.Date: {"invalid": "日期格式有误，应为 YYYY-MM-DD", "format": "日期格式有误"},
    fields.Email: {"invalid": "邮箱格式有误"},
    fields.List: {"invalid": "应为列表"},
    fields.Dict: {"invalid": "应为对象"},
    fields.Nested: {"type": "应为对象"},
    fields.UUID: {"invalid_uuid": "应为 UUID"},
}


def install() -> None:
    for cls, messages in _MESSAGES.items():
        cls.default_error_messages = {**getattr(cls, "default_error_messages", {}), **messages}
    Schema._default_error_messages = {"type": "数据类型有误", "unknown": "不支持的字段"}
