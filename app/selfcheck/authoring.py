"""Checklist authoring: regulators (admin) add local items in a draft version and publish it.

A published version never changes; runs keep the version they were created with. A local item
applies only inside the author's jurisdiction (its `applies_to.regions` is the author's region prefix).
"""
from sqlalchemy import func, select

from app.accounts.models import User
from app.accounts.scoping import region_prefix
from app.common import audit
from app.common.errors import Conflict, NotFound, field_error
from app.common.timeutil import utcnow
from app.extensions import db
from app.selfcheck.library import latest_published
from app.selfcheck.models import ChecklistItem, ChecklistTemplate, TemplateVersion

COPIED = ("code", "section_code", "section_title", "question", "guidance", "legal_basis", "severity", "answer_type",
          "unit", "range_min", "range_max", "choices", "compliant_choices", "date_rule", "evidence_rule",
          "time_limit_days", "recommendation", "frequency", "applies_to", "local", "statutory", "judgement", "proof")


def list_templates() -> list[ChecklistTemplate]:
    templates = db.session.scalars(select(ChecklistTemplate).order_by(ChecklistTemplate.id)).all()
    for template in templates:
        template.versions = db.session.scalars(select(TemplateVersion).where(
            TemplateVersion.template_id == template.id).order_by(TemplateVersion.version.desc())).all()
    return templates


def get_version(version_id: int) -> TemplateVersion:
    version = db.session.get(TemplateVersion, version_id)
    if version is None:
        raise NotFound("未找到该检查表版本")
    return version


def create_draft(actor: User, template_id: int) -> TemplateVersion:
    """Start a new draft version as a copy of the latest published one."""
    template = db.session.get(ChecklistTemplate, template_id)
    if template is None:
        raise NotFound("未找到该检查表")
    existing = db.session.scalar(select(TemplateVersion).where(
        TemplateVersion.template_id == template_id, TemplateVersion.status == "draft"))
    if existing is not None:
        raise Conflict(f"已有草稿版本 v{existing.version}，请先发布或继续编辑", code="draft_exists",
                       details={"version_id": existing.id})
    source = latest_published(template_id)
    last = db.session.scalar(select(func.max(TemplateVersion.version)).where(
        TemplateVersion.template_id == template_id)) or 0
    # The draft inherits the built-in data's hash: `flask checklists load` with unchanged YAML then leaves
    # the published draft (and its local items) alone instead of publishing the YAML alone over it.
    draft = TemplateVersion(template_id=template_id, version=last + 1, status="draft",
                            source_hash=source.source_hash if source is not None else None)
    if source is not None:
        draft.items = [ChecklistItem(position=i.position, **{k: getattr(i, k) for k in COPIED}) for i in source.items]
    db.session.add(draft)
    db.session.flush()
    audit.record("checklist.draft_created", "template_version", draft.id, to_state="draft",
                 comment=f"{template.name} v{draft.version}")
    return draft


def add_local_item(actor: User, version_id: int, data: dict) -> ChecklistItem:
    version = get_version(version_id)
    if version.status != "draft":
        raise Conflict("已发布的版本不能修改，请先创建草稿", code="version_published")
    if any(item.code == data["code"] for item in version.items):
        raise field_error("code", "该版本中已有相同编号的检查项", status=409, code="duplicate")
    if data["answer_type"] == "number" and data.get("range_min") is None and data.get("range_max") is None:
        raise field_error("range_max", "数值型检查项须设置合格范围")
    prefix = region_prefix(actor)
    applies_to = dict(data.pop("applies_to", None) or {})
    if not actor.is_sysadmin and prefix:
        applies_to["regions"] = [prefix]
    item = ChecklistItem(position=len(version.items), local=True, applies_to=applies_to, **data)
    version.items.append(item)
    db.session.flush()
    audit.record("checklist.item_added", "template_version", version.id, comment=f"{item.code} {item.question[:60]}")
    return item


def publish(actor: User, version_id: int) -> TemplateVersion:
    version = get_version(version_id)
    if version.status != "draft":
        raise Conflict("该版本已发布", code="version_published")
    if not version.items:
        raise Conflict("空的检查表不能发布", code="empty_version")
    version.status, version.published_at = "published", utcnow()
    audit.record("checklist.published", "template_version", version.id, from_state="draft", to_state="published",
                 comment=f"v{version.version}，{len(version.items)} 项")
    return version
