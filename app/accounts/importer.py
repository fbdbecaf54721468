"""Bulk import of enterprises from .xlsx or .csv: valid rows land, bad rows are reported."""
from marshmallow import ValidationError

from app.accounts import service
from app.accounts.schemas import EnterpriseIn
from app.common.errors import DomainError, ValidationFailed
from app.common.xlsx import clean_cell as _clean
from app.common.xlsx import read_rows as _rows
from app.extensions import db

COLUMNS = {
    "企业名称": "name", "统一社会信用代码": "uscc", "行业代码": "industry_code", "行业名称": "industry_name",
    "行政区划代码": "region_code", "地址": "address", "排污许可证编号": "permit_no",
    "管理类别": "permit_class", "许可证有效期": "permit_valid_until", "企业标识": "flags",
    "信用等级": "credit_grade", "联系人": "contact_name", "联系电话": "contact_phone",
}
REQUIRED = ("企业名称", "统一社会信用代码", "行业代码", "行业名称", "行政区划代码", "管理类别")
FIELD_TO_COLUMN = {v: k for k, v in COLUMNS.items()}
MAX_ROWS = 5000


def import_enterprises(actor, filename: str, data: bytes) -> dict:
    rows = [r for r in _rows(filename, data) if any(_clean(c) for c in r)]
    if not rows:
        raise ValidationFailed("文件没有数据", code="empty_file", details={"fields": {"file": ["文件没有数据"]}})
    header = [_clean(c) for c in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(f"缺少表头：{'、'.join(missing)}", code="bad_headers",
                               details={"missing_columns": missing})
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationFailed(f"一次最多导入{MAX_ROWS}行", code="too_many_rows")
    errors, imported, seen = [], 0, {}
    schema = EnterpriseIn()
    for number, row in enumerate(rows[1:], start=2):
        raw = {COLUMNS[h]: _clean(row[i]) if i < len(row) else "" for i, h in enumerate(header) if h in COLUMNS}
        formula = next((k for k, v in raw.items() if v.startswith("=")), None)
        if formula:
            errors.append({"row": number, "column": FIELD_TO_COLUMN[formula], "message": "不允许公式"})
            continue
        raw = {k: v for k, v in raw.items() if v != ""}
        if "flags" in raw:
            raw["flags"] = [f.strip() for f in raw["flags"].replace("，", ",").split(",") if f.strip()]
        try:
            payload = schema.load(raw)
        except ValidationError as exc:
            field, messages = next(iter(exc.messages.items()))
            message = messages[0] if isinstance(messages, list) else "内容有误"
            errors.append({"row": number, "column": FIELD_TO_COLUMN.get(field, field), "message": str(message)})
            continue
        uscc = payload["uscc"].upper()
        if uscc in seen:
            errors.append({"row": number, "column": "统一社会信用代码",
                           "message": f"与第{seen[uscc]}行重复"})
            continue
        seen[uscc] = number
        try:
            with db.session.begin_nested():
                service.create_enterprise(actor, payload)
            imported += 1
        except DomainError as exc:
            field = next(iter(exc.details.get("fields", {})), "name")
            errors.append({"row": number, "column": FIELD_TO_COLUMN.get(field, field), "message": exc.message})
    return {"imported": imported, "errors": errors}
