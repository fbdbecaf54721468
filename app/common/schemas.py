"""Base schemas shared by every feature package."""
from marshmallow import EXCLUDE, Schema, fields


class InSchema(Schema):
    """Input schema: unknown keys are ignored, so older and newer clients both work."""

    class Meta:
        unknown = EXCLUDE


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
    page = fields.Integer(load_default=1, validate=lambda v: v >= 1)
    per_page = fields.Integer(load_default=20, validate=lambda v: 1 <= v <= 200)


class EmptySchema(OutSchema):
    pass
