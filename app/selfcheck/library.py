"""The built-in checklist library: data files → versioned templates, and per-enterprise composition."""
import hashlib
import json
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select

from app.accounts.models import Enterprise
from app.common.timeutil import utcnow
from app.extensions import db
from app.selfcheck.models import ChecklistItem, ChecklistTemplate, TemplateVersion

DATA = Path(__file__).parent / "data"

# Built-in templates: the monthly routine check takes items marked monthly; the full check takes all.
BUILTIN_TEMPLATES = (
    {"code": "MONTHLY", "name": "月度常规环保自查", "frequency_filter": "monthly",
     "description": "每月开展的日常环保自查，覆盖废气、废水、危废、自动监测等高频检查项。"},
    {"code": "FULL", "name": "季度全面环保体检", "frequency_filter": None,
     "description": "每季度开展的全面环保自查，覆盖全部适用检查项，形成环保体检报告。"},
)


@cache
def library_data() -> dict:
    return yaml.safe_load((DATA / "library.yaml").read_text(encoding="utf-8"))


@cache
def industry_groups_map() -> dict[str, list[str]]:
    return yaml.safe_load((DATA / "industries.yaml").read_text(encoding="utf-8"))


def industry_groups(industry_code: str, industry_name: str = "") -> frozenset[str]:
    """Return the industry groups (电镀, 印刷, …) an enterprise's industry belongs to."""
    groups = {g for g, prefixes in industry_groups_map().items()
              if any(industry_code.startswith(p) for p in prefixes) or (industry_name and g in industry_name)}
    return frozenset(groups)


def applies(applies_to: dict | None, groups: frozenset[str], permit_class: str, flags: frozenset[str],
            region_code: str = "") -> bool:
    """An item applies when every condition key matches (OR within a key's list)."""
    cond = applies_to or {}
    if cond.get("regions") and not any(region_code.startswith(p) for p in cond["regions"]):
        return False  # a local item of another jurisdiction
    if cond.get("industries") and not groups.intersection(cond["industries"]):
        return False
    if cond.get("permit_classes") and permit_class not in cond["permit_classes"]:
        return False
    if cond.get("flags_any") and not flags.intersection(cond["flags_any"]):
        return False
    if cond.get("flags_none") and flags.intersection(cond["flags_none"]):
        return False
    return True


def enterprise_signature(enterprise) -> tuple:
    """(industry groups, permit class, flags, region) of an Enterprise or of a row with those columns."""
    return (industry_groups(enterprise.industry_code, enterprise.industry_name),
            enterprise.permit_class, frozenset(enterprise.flags or []), enterprise.region_code)


def compose(version: TemplateVersion, enterprise: Enterprise) -> list[int]:
    """Item ids of the version that apply to this enterprise, in checklist order."""
    groups, permit_class, flags, region_code = enterprise_signature(enterprise)
    return [i.id for i in version.items if applies(i.applies_to, groups, permit_class, flags, region_code)]


def _item_rows(data: dict, frequency_filter: str | None) -> list[dict]:
    titles = {s["code"]: s["title"] for s in data["sections"]}
    rows = []
    for item in data["items"]:
        if frequency_filter and item.get("frequency") != frequency_filter:
            continue
        rng = item.get("range") or {}
        rows.append({
            "code": item["code"], "section_code": item["section"], "section_title": titles[item["section"]],
            "question": item["question"], "finding": item.get("finding", ""), "guidance": item.get("guidance", ""),
            "legal_basis": [{"law": b["law"], "article": str(b.get("article", "")),
                             "excerpt": b.get("excerpt", ""), "certainty": b.get("certainty", "知"),
                             "checked": bool(b.get("checked", False)),
                             **({"note": b["note"]} if b.get("note") else {})}
                            for b in item["legal_basis"]],
            "statutory": bool(item.get("statutory", True)), "judgement": item.get("judgement"),
            "proof": item.get("proof"),
            "severity": item["severity"], "answer_type": item["answer_type"], "unit": item.get("unit"),
            "range_min": rng.get("min"), "range_max": rng.get("max"), "choices": item.get("choices"),
            "compliant_choices": item.get("compliant_choices"),
            "date_rule": ({"rule": item["date_rule"]} if isinstance(item.get("date_rule"), str)
                          else item.get("date_rule")),
            "evidence_rule": item.get("evidence_rule", "photo_if_noncompliant"),
            "time_limit_days": int(item["time_limit_days"]), "recommendation": item.get("recommendation", ""),
            "frequency": item.get("frequency", "quarterly"), "applies_to": item.get("applies_to") or {},
        })
    return rows


LOCAL_COPIED = ("code", "section_code", "section_title", "question", "finding", "guidance", "legal_basis", "severity",
                "answer_type", "unit", "range_min", "range_max", "choices", "compliant_choices", "date_rule",
                "evidence_rule", "time_limit_days", "recommendation", "frequency", "applies_to", "local",
                "statutory", "judgement", "proof")


def latest_published(template_id: int) -> TemplateVersion | None:
    return db.session.scalar(select(TemplateVersion).where(
        TemplateVersion.template_id == template_id, TemplateVersion.status == "published",
    ).order_by(TemplateVersion.version.desc()).limit(1))


def load_library() -> dict[str, int]:
    """Create or update the built-in templates; a second run with unchanged data does nothing."""
    data = library_data()
    created = {}
    for spec in BUILTIN_TEMPLATES:
        template = db.session.scalar(select(ChecklistTemplate).where(ChecklistTemplate.code == spec["code"]))
        if template is None:
            template = ChecklistTemplate(**spec)
            db.session.add(template)
            db.session.flush()
        rows = _item_rows(data, spec["frequency_filter"])
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        current = latest_published(template.id)
        if current is not None and current.source_hash == digest:
            continue  # the built-in part is unchanged (a published draft inherits the hash it was copied from)
        last = db.session.scalar(select(TemplateVersion.version).where(
            TemplateVersion.template_id == template.id).order_by(TemplateVersion.version.desc()).limit(1))
        version = TemplateVersion(template_id=template.id, version=(last or 0) + 1, status="published",
                                  source_hash=digest, published_at=utcnow())
        version.items = [ChecklistItem(position=n, **row) for n, row in enumerate(rows)]
        # Published local items (regulators' additions) carry over into the new version.
        codes = {row["code"] for row in rows}
        for local in (i for i in (current.items if current else []) if i.local and i.code not in codes):
            version.items.append(ChecklistItem(position=len(version.items),
                                               **{k: getattr(local, k) for k in LOCAL_COPIED}))
        db.session.add(version)
        db.session.flush()
        created[spec["code"]] = version.version
    return created
