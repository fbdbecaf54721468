from marshmallow import fields, validate

from app.common.schemas import InSchema, OutSchema


class ObligationBasisOut(OutSchema):
    law = fields.String()
    article = fields.String()
    excerpt = fields.String(allow_none=True)
    checked = fields.Boolean()


class ObligationOut(OutSchema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    code = fields.String()
    title = fields.String()
    period_label = fields.String()
    due_date = fields.Date()
    status = fields.String(metadata={"description": "done | overdue | due_soon | upcoming"})
    proof = fields.String()
    legal_basis = fields.List(fields.Nested(ObligationBasisOut))
    self_check_items = fields.List(fields.String())
    done_on = fields.Date(allow_none=True)
    receipt_upload_id = fields.Integer(allow_none=True)
    receipt_no = fields.String(allow_none=True)
    note = fields.String()
    problem_id = fields.Integer(allow_none=True)
    allowed_actions = fields.List(fields.String())


class ObligationList(OutSchema):
    items = fields.List(fields.Nested(ObligationOut))
    total = fields.Integer()
    today = fields.Date()
    ics_url = fields.String(allow_none=True)


class ObligationArgs(InSchema):
    status = fields.String(load_default=None, validate=validate.OneOf(
        ["done", "overdue", "due_soon", "upcoming", "pending"], error="应为done、overdue、due_soon、upcoming或pending"))
    code = fields.String(load_default=None, validate=validate.Length(max=40))
    enterprise_id = fields.Integer(load_default=None)


class ObligationDoneIn(InSchema):
    upload_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 2**31 - 1))
    record_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    done_on = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class ObligationFeedOut(OutSchema):
    ics_url = fields.String()
