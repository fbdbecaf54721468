"""Input and output schemas for auth, users and enterprises."""
from marshmallow import ValidationError, fields, validate, validates

from app.accounts.models import (
    ALL_CREDIT_GRADES,
    BOILER_FUELS,
    ENTERPRISE_FLAGS,
    NOISE_ZONES,
    PERMIT_CLASSES,
    UNRATED,
    Position,
    Role,
)
from app.accounts.uscc import is_valid_uscc
from app.common.schemas import InSchema, OutSchema, PageArgs


class LoginIn(InSchema):
    username = fields.String(required=True, validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    password = fields.String(required=True, validate=validate.Length(1, 128, error="长度应为1-128个字符"))


class PasswordIn(InSchema):
    old_password = fields.String(required=True)
    new_password = fields.String(required=True)


class UserOut(OutSchema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    role = fields.String()
    phone = fields.String()
    email = fields.String()
    active = fields.Boolean()
    locked = fields.Boolean()
    enterprise_id = fields.Integer(allow_none=True)
    enterprise_name = fields.Function(lambda u: u.enterprise.name if u.enterprise else None)
    region_code = fields.Function(lambda u: u.enterprise.region_code if u.enterprise else u.region_code)
    region_name = fields.Function(
        lambda u: (u.enterprise.region.name if u.enterprise else (u.region.name if u.region else None)))
    must_change_password = fields.Boolean()
    position = fields.String(allow_none=True)  # regulators: 执法人员, 承办机构负责人, 分管局长, 局长, 分局主要负责人
    enforcement_cert_no = fields.String(allow_none=True)  # 执法证号


class AuthOut(OutSchema):
    user = fields.Nested(UserOut)
    csrf_token = fields.String()


class UserIn(InSchema):
    username = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_.\-]{3,64}$", error="3-64位字母、数字、下划线、点或横线"))
    display_name = fields.String(required=True, validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    phone = fields.String(load_default="", validate=validate.Length(max=32, error="过长"))
    email = fields.String(load_default="", validate=validate.Length(max=128, error="过长"))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role], error="角色无效"))
    enterprise_id = fields.Integer(allow_none=True, load_default=None)
    region_code = fields.String(allow_none=True, load_default=None)
    password = fields.String(required=True, validate=validate.Length(8, 128, error="至少8个字符"))
    position = fields.String(allow_none=True, validate=validate.OneOf([p.value for p in Position], error="职务无效"))
    enforcement_cert_no = fields.String(allow_none=True, validate=validate.Length(max=32, error="过长"))


class UserUpdateIn(InSchema):
    display_name = fields.String(validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    phone = fields.String(validate=validate.Length(max=32, error="过长"))
    email = fields.String(validate=validate.Length(max=128, error="过长"))
    active = fields.Boolean()
    locked = fields.Boolean()
    password = fields.String(validate=validate.Length(8, 128, error="至少8个字符"))
    position = fields.String(allow_none=True, validate=validate.OneOf([p.value for p in Position], error="职务无效"))
    enforcement_cert_no = fields.String(allow_none=True, validate=validate.Length(max=32, error="过长"))


class RegionOut(OutSchema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)


class EnterpriseIn(InSchema):
    name = fields.String(required=True, validate=validate.Length(2, 200, error="长度应为2-200个字符"))
    uscc = fields.String(required=True)
    industry_code = fields.String(required=True, validate=validate.Length(1, 8, error="长度应为1-8个字符"))
    industry_name = fields.String(required=True, validate=validate.Length(1, 64, error="长度应为1-64个字符"))
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="应为6位行政区划代码"))
    address = fields.String(load_default="", validate=validate.Length(max=255, error="过长"))
    permit_no = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=64, error="过长"))
    permit_class = fields.String(required=True, validate=validate.OneOf(PERMIT_CLASSES, error="应为重点管理、简化管理或登记管理"))
    permit_valid_until = fields.Date(allow_none=True, load_default=None)
    flags = fields.List(fields.String(validate=validate.OneOf(list(ENTERPRISE_FLAGS), error="未知的企业标识")),
                        load_default=list)
    # the province's scale decides (accounts.service.check_credit_grade); unrated by default
    credit_grade = fields.String(load_default=UNRATED, validate=validate.OneOf(ALL_CREDIT_GRADES, error="信用等级无效"))
    contact_name = fields.String(load_default="", validate=validate.Length(max=64, error="过长"))
    contact_phone = fields.String(load_default="", validate=validate.Length(max=32, error="过长"))
    # Profile facts for the automatic judgements (see app/selfcheck/data/limits.yaml, docs/rules.md).
    boiler_fuel = fields.String(allow_none=True, load_default=None,
                                validate=validate.OneOf(BOILER_FUELS, error="应为燃煤、燃油或燃气"))
    boiler_existing = fields.Boolean(allow_none=True, load_default=None)
    air_special_limits = fields.Boolean(load_default=False)
    water_special_limits = fields.Boolean(load_default=False)
    noise_zone = fields.String(allow_none=True, load_default=None,
                               validate=validate.OneOf(NOISE_ZONES, error="声环境功能区类别应为0、1、2、3或4"))
    hw_storage_limit_days = fields.Integer(allow_none=True, load_default=None,
                                           validate=validate.Range(1, 3650, error="应为1-3650天"))
    permit_renewal_applied_on = fields.Date(allow_none=True, load_default=None)

    @validates("uscc")
    def _uscc(self, value, **kwargs):
        if not is_valid_uscc(value):
            raise ValidationError("统一社会信用代码无效（应为18位且校验位正确）")


class EnterpriseUpdateIn(EnterpriseIn):
    """PATCH: only the fields sent (no defaults — a missing credit_grade must not reset the grade)."""

    def load(self, data, *, many=None, partial=None, unknown=None):
        return super().load(data, many=many, partial=True, unknown=unknown)


class EnterpriseOut(OutSchema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String()
    industry_code = fields.String()
    industry_name = fields.String()
    region_code = fields.String()
    region_name = fields.Function(lambda e: e.region.name if e.region else None)
    address = fields.String()
    permit_no = fields.String(allow_none=True)
    permit_class = fields.String()
    permit_valid_until = fields.Date(allow_none=True)
    flags = fields.List(fields.String())
    credit_grade = fields.String()
    contact_name = fields.String()
    contact_phone = fields.String()
    boiler_fuel = fields.String(allow_none=True)
    boiler_existing = fields.Boolean(allow_none=True)
    air_special_limits = fields.Boolean()
    water_special_limits = fields.Boolean()
    noise_zone = fields.String(allow_none=True)
    hw_storage_limit_days = fields.Integer(allow_none=True)
    permit_renewal_applied_on = fields.Date(allow_none=True)


class EnterpriseListArgs(PageArgs):
    q = fields.String(load_default=None)


class EnterprisePage(OutSchema):
    items = fields.List(fields.Nested(EnterpriseOut))
    total = fields.Integer()


class UserPage(OutSchema):
    items = fields.List(fields.Nested(UserOut))
    total = fields.Integer()


class ImportRowError(OutSchema):
    row = fields.Integer()
    column = fields.String()
    message = fields.String()


class ImportResult(OutSchema):
    imported = fields.Integer()
    errors = fields.List(fields.Nested(ImportRowError))
