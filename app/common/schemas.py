"""Base schemas shared by every feature package."""
from marshmallow import EXCLUDE, Schema, fields, validate


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
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000, error="应为1-100000"))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 200, error="应为1-200"))


class EmptySchema(OutSchema):
    pass
