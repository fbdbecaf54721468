"""Base schemas shared by every feature package."""
import functools

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

# Bounds every input field gets unless its schema declares tighter ones (issue #15 item 7): a field
# without a limit is how a 1 MB string or a 10**30 number reaches the database.
DEFAULT_MAX_TEXT = 10_000
DEFAULT_MAX_ITEMS = 1_000
INT_RANGE = (-(2**31), 2**31 - 1)   # what an INTEGER column holds
NUMBER_RANGE = (-1e15, 1e15)
BAD_TEXT = "含有无效字符（不是有效的 UTF-8 文本）"


class InSchema(Schema):
    """Input schema: unknown keys are ignored, so older and newer clients both work.

    Every input schema derives from this one, so three input rules live here: strings must be
    encodable UTF-8 (a lone surrogate such as "\\ud800" is a 422, not a failed database write), an
    integer field refuses 1.5 instead of truncating it, and every string, number and list has a bound.
    """

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def _refuse_unencodable_text(self, data, **_kwargs):
        path = first_bad_text(data)
        if path is not None:
            errors: dict = {}
            node = errors
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1] if path else "_schema"] = [BAD_TEXT]
            raise ValidationError(errors)
        return data

    def on_bind_field(self, field_name, field_obj):
        super().on_bind_field(field_name, field_obj)
        bound_field(field_obj)


def first_bad_text(data) -> list | None:
    """Path to the first string (value or key) that is not encodable as UTF-8, or None; no recursion."""
    stack = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not _encodable(value):
                return list(path) or [""]
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and not _encodable(key):
                    return [*path, "_schema"]
                stack.append(((*path, key), item))
        elif isinstance(value, list | tuple):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text  # NUL is refused by PostgreSQL text columns as well


def _has_bound(validators, kind, low, high) -> tuple[bool, bool]:
    found = [v for v in validators if isinstance(v, kind)]
    return any(getattr(v, low) is not None for v in found), any(getattr(v, high) is not None for v in found)


def bound_field(field) -> None:
    """Give a field the default bounds it lacks (and its list items / dict values theirs)."""
    if isinstance(field, fields.List):
        if not _has_bound(field.validators, validate.Length, "min", "max")[1]:
            field.validators.append(validate.Length(max=DEFAULT_MAX_ITEMS, error=f"最多{DEFAULT_MAX_ITEMS}项"))
        bound_field(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            bound_field(inner)
    elif isinstance(field, fields.Dict):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                bound_field(inner)
    elif isinstance(field, fields.String) and not isinstance(field, fields.UUID):
        if not _has_bound(field.validators, validate.Length, "min", "max")[1]:
            field.validators.append(validate.Length(max=DEFAULT_MAX_TEXT, error=f"过长（最多{DEFAULT_MAX_TEXT}个字符）"))
    elif isinstance(field, fields.Number):
        low, high = INT_RANGE if isinstance(field, fields.Integer) else NUMBER_RANGE
        has_low, has_high = _has_bound(field.validators, validate.Range, "min", "max")
        if not (has_low and has_high):
            field.validators.append(validate.Range(low, high, error="数值超出允许范围"))
        if isinstance(field, fields.Integer) and not field.strict and not getattr(field, "_integral", False):
            field._validated = _integral(field, field._validated)
            field._integral = True


def _integral(field, validated):
    """marshmallow's Integer turns 1.5 into 1; a fraction is an error, not a number to truncate."""

    @functools.wraps(validated)
    def check(value):
        if isinstance(value, float) and not value.is_integer():
            raise field.make_error("invalid", input=value)
        return validated(value)

    return check


class OutSchema(Schema):
    class Meta:
        ordered = True


class ErrorBody(OutSchema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict()


class ErrorSchema(OutSchema):
    error = fields.Nested(ErrorBody, required=True)


class PageArgs(InSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000, error="应为1-100000"))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 200, error="应为1-200"))


class EmptySchema(OutSchema):
    pass


class RowView:
    """A model row plus the fields one response adds (computed for one user, e.g. allowed actions).

    Output schemas dump it like the row itself; the row is never given request-specific attributes,
    so nothing computed for one user can leak into the session's identity map or another response.
    """

    def __init__(self, row, **extra):
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._row, name)
