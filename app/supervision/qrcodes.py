"""企业环保码: the public card behind /e/<public_code>, its QR code (PNG) and the A4 poster (PDF).

The public card holds only what is meant to be public: name, 统一社会信用代码, whether the latest
self-check was on time, and positive-list membership. No problem text, people, phones or photos.
"""
import base64
import io
from pathlib import Path

import qrcode
from flask import url_for
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import or_, select

from app.accounts.models import Enterprise
from app.common.errors import NotFound
from app.common.links import external_url
from app.common.pdf import html_to_pdf
from app.common.timeutil import local_date, today_local
from app.extensions import db
from app.selfcheck.models import SelfCheck, SelfCheckStatus
from app.supervision.enterprises import active_membership
from app.supervision.models import PositiveListEntry

_templates = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
                         autoescape=select_autoescape(["html"]))

SELFCHECK_LABELS = {"on_time": "按时完成", "late": "逾期完成", "overdue": "逾期未完成", "in_progress": "进行中",
                    "none": "暂无自查记录"}


def render(name: str, **context) -> str:
    return _templates.get_template(name).render(**context)


def by_public_code(code: str) -> Enterprise:
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.public_code == code)) \
        if code and len(code) <= 32 else None
    if enterprise is None:
        raise NotFound("未找到该企业环保码", code="unknown_code")
    return enterprise


def public_url(enterprise: Enterprise) -> str:
    return external_url(url_for("public_card.card_page", code=enterprise.public_code))


def public_card(enterprise: Enterprise) -> dict:
    """The card: two small queries, public facts only."""
    today = today_local()
    latest = db.session.scalar(select(SelfCheck).where(
        SelfCheck.enterprise_id == enterprise.id,
        or_(SelfCheck.status == SelfCheckStatus.SUBMITTED, SelfCheck.due_date < today))
        .order_by(SelfCheck.due_date.desc(), SelfCheck.id.desc()).limit(1))
    if latest is None:
        status, selfcheck = "none", None
    else:
        if latest.status == SelfCheckStatus.SUBMITTED:
            status = "late" if latest.late else "on_time"
        else:
            status = "overdue"
        selfcheck = {"period_label": latest.period_label, "due_date": latest.due_date,
                     "submitted_date": local_date(latest.submitted_at) if latest.submitted_at else None}
    membership = db.session.scalar(select(PositiveListEntry).where(
        PositiveListEntry.enterprise_id == enterprise.id, active_membership(today))
        .order_by(PositiveListEntry.valid_until.desc()).limit(1))
    return {
        "name": enterprise.name, "uscc": enterprise.uscc,
        "latest_selfcheck": {"status": status, "label": SELFCHECK_LABELS[status],
                             "on_time": status == "on_time", **(selfcheck or {})},
        "positive_list": {"member": membership is not None,
                          "until": membership.valid_until if membership else None},
        "as_of": today,
    }


def qr_png(data: str, box_size: int = 10) -> bytes:
    image = qrcode.make(data, box_size=box_size, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def poster_html(enterprise: Enterprise) -> str:
    url = public_url(enterprise)
    qr = "data:image/png;base64," + base64.b64encode(qr_png(url, 12)).decode()
    return render("supervision_poster.html", e=enterprise, url=url, qr=qr, card=public_card(enterprise))


def poster_pdf(enterprise: Enterprise) -> bytes:
    return html_to_pdf(poster_html(enterprise))
