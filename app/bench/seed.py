"""`flask bench seed`: deterministic synthetic data at scale (COPY on PostgreSQL, executemany elsewhere).

What is seeded (per enterprise): one enterprise_admin user, one evidence upload, a monthly (MONTHLY template)
and a quarterly (FULL template) schedule, one run per period of the last N months (most submitted with
score and grade, some pending / in progress / overdue), problems for the non-compliant items of submitted
runs in every state (with rectifications and extension requests), audit events forming a valid hash chain,
and three notifications. Answers are seeded for every run of the *sample* enterprises (the first 1%,
at least 20 — the ones the benchmark logs in as); other runs carry score, grade and problems but no
answer rows. Reports (snapshot + digest) for every submitted run of the sample and ~3% of the others.
"""
import io
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, select, text

from app.accounts.models import Enterprise, Region, Role, User
from app.accounts.service import hash_password
from app.bench import synth
from app.bench.writer import AUDIT_COLUMNS, AuditChains, BulkWriter, at_local, next_id
from app.common.audit import AuditEvent
from app.common.storage import get_storage
from app.common.timeutil import add_days, isoformat, local_date, today_local, utcnow
from app.evidence.models import Upload
from app.extensions import db
from app.notify.models import Notification
from app.remediation.models import ExtensionRequest, Problem, Rectification
from app.reports.models import Report, ReportCounter
from app.rollups import check as rollups_check
from app.selfcheck import evaluate, library
from app.selfcheck.models import Answer, ChecklistTemplate, Schedule, SelfCheck, TemplateVersion
from app.selfcheck.periods import period_of

PASSWORD = "bench-pass-2026"
CHUNK = 2000
META_TABLE = "bench_meta"

ENT_COLS = ("id", "name", "uscc", "industry_code", "industry_name", "region_code", "address", "permit_no",
            "permit_class", "permit_valid_until", "flags", "credit_grade", "contact_name", "contact_phone",
            "public_code", "created_at")
USER_COLS = ("id", "username", "display_name", "phone", "email", "role", "enterprise_id", "region_code",
             "password_hash", "active", "must_change_password", "session_nonce", "failed_logins", "locked",
             "created_at")
UPLOAD_COLS = ("id", "client_id", "enterprise_id", "uploaded_by_id", "sha256", "content_type", "size", "filename",
               "thumb_key", "captured_at", "client_captured_at", "gps_lat", "gps_lon", "received_at")
SCHEDULE_COLS = ("id", "enterprise_id", "template_id", "recurrence", "open_day", "due_day", "assignee_id", "active")
RUN_COLS = ("id", "schedule_id", "enterprise_id", "version_id", "title", "period_key", "period_label", "open_date",
            "due_date", "status", "item_ids", "assignee_id", "started_at", "submitted_at", "submitted_by_id", "late",
            "answered_count", "score", "grade", "report_id", "created_at")
ANSWER_COLS = ("id", "selfcheck_id", "item_id", "result", "value", "note", "upload_ids", "updated_at",
               "updated_by_id")
PROBLEM_COLS = ("id", "enterprise_id", "source", "selfcheck_id", "item_id", "item_code", "title", "description",
                "location", "category", "severity", "legal_basis", "recommendation", "upload_ids", "deadline",
                "original_deadline", "owner_id", "status", "needs_regulator", "sampled", "plan", "target_date",
                "created_by_id", "created_at", "submitted_at", "closed_at")
RECT_COLS = ("id", "problem_id", "description", "before_upload_ids", "upload_ids", "submitted_by_id",
             "submitted_at", "decision", "comment", "reviewed_by_id", "reviewed_at")
EXT_COLS = ("id", "problem_id", "days", "reason", "previous_status", "requested_by_id", "requested_at", "approved",
            "new_deadline", "comment", "decided_by_id", "decided_at")
REPORT_COLS = ("id", "number", "region_code", "year", "seq", "selfcheck_id", "enterprise_id", "score", "grade",
               "snapshot", "digest", "revoked", "issued_at")
NOTE_COLS = ("id", "recipient_id", "kind", "object_type", "object_id", "stage", "title", "body", "link",
             "enterprise_id", "created_at", "read_at")


def sample_size(enterprises: int) -> int:
    """How many enterprises (bench-ent-1 … bench-ent-N) get full answers: 1%, at least 20."""
    return min(enterprises, max(20, enterprises // 100))


def read_meta() -> dict:
    try:
        with db.session.begin_nested():
            rows = db.session.execute(text(f"SELECT key, value FROM {META_TABLE}")).all()
    except Exception:
        return {}
    return dict(rows)


def write_meta(values: dict) -> None:
    db.session.execute(text(f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR(64) PRIMARY KEY, value TEXT)"))
    for key, value in values.items():
        db.session.execute(text(f"DELETE FROM {META_TABLE} WHERE key = :k"), {"k": key})
        db.session.execute(text(f"INSERT INTO {META_TABLE} (key, value) VALUES (:k, :v)"), {"k": key, "v": str(value)})


def bench_jpeg(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (40, 110, 70))
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 40):
        draw.line([(i, 0), (640 - i, 480)], fill=((i * 3 + seed) % 255, 160, 90), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def store_photo(seed: int) -> tuple[str, str, int]:
    """Store one evidence photo and its thumbnail; every seeded upload points at them."""
    from PIL import Image

    data = bench_jpeg(seed)
    storage = get_storage()
    key = storage.put(data)
    image = Image.open(io.BytesIO(data))
    image.thumbnail((480, 480))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return key, storage.put(out.getvalue()), len(data)


@dataclass
class Progress:
    started: float = field(default_factory=time.perf_counter)
    echo: object = print

    def __call__(self, message: str) -> None:
        self.echo(f"[{time.perf_counter() - self.started:7.1f}s] {message}")


class Seeder:
    def __init__(self, enterprises: int, months: int, seed: int, echo=print, today: date | None = None):
        self.n, self.months, self.seed = enterprises, months, seed
        self.rng = random.Random(seed)
        self.today = today or today_local()
        self.now = utcnow()
        self.log = Progress(echo=echo)
        self.writer = BulkWriter()
        self.sample = sample_size(enterprises)
        self.compositions: dict[tuple, tuple[list[int], str]] = {}
        self.report_counters: dict[tuple[str, int], int] = {}
        self.prefix = current_app.config["REPORT_NUMBER_PREFIX"]
        self.notify_table = Notification.__table__

    # --- setup ---------------------------------------------------------------------------

    def _library(self) -> None:
        library.load_library()
        db.session.flush()
        self.templates = {t.code: t for t in db.session.scalars(select(ChecklistTemplate))}
        self.versions: dict[str, TemplateVersion] = {
            code: library.latest_published(t.id) for code, t in self.templates.items()}
        # Plain copies of the items: ORM attribute access is too slow for millions of reads.
        fields = ("id", "code", "section_code", "section_title", "question", "finding", "severity", "answer_type",
                  "evidence_rule", "range_min", "range_max", "choices", "compliant_choices", "date_rule",
                  "time_limit_days", "recommendation", "legal_basis")
        self.items = {v.id: {i.id: SimpleNamespace(**{f: getattr(i, f) for f in fields},
                                                   legal_basis_json=json.dumps(i.legal_basis, ensure_ascii=False))
                             for i in v.items} for v in self.versions.values()}

    def compose(self, version: TemplateVersion, ent) -> tuple[list[int], str]:
        """Item ids for an enterprise (ent.signature precomputed), cached per (version, signature)."""
        key = (version.id, ent.signature)
        if key not in self.compositions:
            ids = library.compose(version, ent)
            self.compositions[key] = (ids, json.dumps(ids))
        return self.compositions[key]

    def _periods(self) -> list[tuple[str, object]]:
        first_month = (self.today.replace(day=1) - timedelta(days=1)).replace(day=1)
        months = [self.today.replace(day=1)]
        for _ in range(self.months - 1):
            months.append(first_month)
            first_month = (first_month - timedelta(days=1)).replace(day=1)
        periods = [("monthly", period_of("monthly", m)) for m in sorted(months)]
        quarters = {}
        for m in sorted(months):
            q = period_of("quarterly", m)
            quarters[q.key] = q
        return periods + [("quarterly", q) for q in quarters.values()]

    def _regions_and_regulators(self, pw_hash: str) -> None:
        rows = synth.regions()
        self.writer.write(Region.__table__, ("code", "name", "level", "parent_code"), rows)
        self.county_codes, self.county_weights = synth.county_weights(rows)
        uid = self.next_user
        users, self.regulator_of = [], {}
        for code, name, _level, _ in rows:
            users.append((uid, f"bench-reg-{code}", f"{name}监管员", "", "", Role.REGULATOR.value, None, code,
                          pw_hash, True, False, f"{self.rng.getrandbits(128):032x}", 0, False, self.now))
            self.regulator_of[code] = uid
            uid += 1
        self.writer.write(User.__table__, USER_COLS, users)
        self.next_user = uid
        self.log(f"行政区划 {len(rows)} 个，监管账号 {len(users)} 个")

    # --- the main loop -------------------------------------------------------------------

    def run(self) -> dict:
        if db.session.scalar(select(func.count()).select_from(Enterprise)):
            raise RuntimeError("数据库中已有企业数据：基准数据只能写入空库（run.py 会新建数据库）")
        self._library()
        pw_hash = hash_password(PASSWORD)
        self.photo_key, self.thumb_key, self.photo_size = store_photo(self.seed)
        self.next_user = next_id(User)
        self.ids = {m: next_id(m) for m in (Enterprise, Upload, Schedule, SelfCheck, Answer, Problem, Rectification,
                                           ExtensionRequest, Report)}
        self.chains = AuditChains(next_id(AuditEvent))
        self.next_note = 1
        self._regions_and_regulators(pw_hash)
        self.periods = self._periods()
        self.first_ent_user = self.next_user
        for start in range(1, self.n + 1, CHUNK):
            self._chunk(range(start, min(start + CHUNK, self.n + 1)), pw_hash)
            db.session.commit()
            done = min(start + CHUNK - 1, self.n)
            self.log(f"企业 {done}/{self.n}：" + "，".join(
                f"{k} {v}（{self.writer.seconds[k]:.1f}s）" for k, v in sorted(self.writer.counts.items())))
        self.writer.write(ReportCounter.__table__, ("region_code", "year", "last_seq"),
                          [(r, y, s) for (r, y), s in sorted(self.report_counters.items())])
        tables = [m.__table__ for m in (Enterprise, User, Upload, Schedule, SelfCheck, Answer, Problem,
                                        Rectification, ExtensionRequest, Report, AuditEvent)]
        tables.append(self.notify_table)
        self.writer.reset_sequences(tables)
        write_meta({"enterprises": self.n, "months": self.months, "seed": self.seed, "sample": self.sample,
                    "today": self.today.isoformat(), "seeded_at": utcnow().isoformat()})
        db.session.commit()
        started = time.perf_counter()
        rollups_check.rebuild()  # COPY bypassed the commit-time maintenance: build the rollups once from the tables
        db.session.commit()
        self.log(f"看板汇总表已重建（{time.perf_counter() - started:.1f}s）")
        self._analyze()
        self.log("完成")
        return dict(self.writer.counts)

    def _analyze(self) -> None:
        db.session.commit()
        if self.writer.is_postgres:
            # VACUUM too: sets the visibility map, so index-only scans work as on a settled production database.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM (ANALYZE)")
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        self.log("VACUUM ANALYZE 完成" if self.writer.is_postgres else "ANALYZE 完成")

    def _chunk(self, numbers: range, pw_hash: str) -> None:
        rows = {k: [] for k in ("ent", "user", "upload", "schedule", "run", "answer", "problem", "rect", "ext",
                                "report", "audit", "note")}
        for n in numbers:
            self._enterprise(n, pw_hash, rows)
        w = self.writer
        w.write(Enterprise.__table__, ENT_COLS, rows["ent"])
        w.write(User.__table__, USER_COLS, rows["user"])
        w.write(Upload.__table__, UPLOAD_COLS, rows["upload"])
        w.write(Schedule.__table__, SCHEDULE_COLS, rows["schedule"])
        w.write(SelfCheck.__table__, RUN_COLS, rows["run"])
        w.write(Report.__table__, REPORT_COLS, rows["report"])
        w.write(Answer.__table__, ANSWER_COLS, rows["answer"])
        w.write(Problem.__table__, PROBLEM_COLS, rows["problem"])
        w.write(Rectification.__table__, RECT_COLS, rows["rect"])
        w.write(ExtensionRequest.__table__, EXT_COLS, rows["ext"])
        w.write(AuditEvent.__table__, AUDIT_COLUMNS, rows["audit"])
        self.chains.flush_heads(w)
        w.write(self.notify_table, NOTE_COLS, rows["note"])

    def _take(self, model) -> int:
        value = self.ids[model]
        self.ids[model] += 1
        return value

    def _enterprise(self, n: int, pw_hash: str, rows: dict) -> None:
        rng = self.rng
        county = rng.choices(self.county_codes, weights=self.county_weights)[0]
        attrs = synth.enterprise_attrs(rng, n, county, self.today, self.seed)
        eid = self._take(Enterprise)
        created = at_local(self.today - timedelta(days=400 + rng.randint(0, 900)), 9)
        rows["ent"].append((eid, *(attrs[c] for c in ENT_COLS[1:-1]), created))
        uid = self.first_ent_user + n - 1
        rows["user"].append((uid, f"bench-ent-{n}", f"环保专员{n}", attrs["contact_phone"], "", Role.ENTERPRISE_ADMIN.value,
                             eid, None, pw_hash, True, False, f"{rng.getrandbits(128):032x}", 0, False, created))
        upload_id = self._take(Upload)
        rows["upload"].append((upload_id, f"bench-{n}", eid, uid, self.photo_key, "image/jpeg", self.photo_size,
                               "现场照片.jpg", self.thumb_key, created, None, None, None, created))
        ent = SimpleNamespace(industry_code=attrs["industry_code"], industry_name=attrs["industry_name"],
                              permit_class=attrs["permit_class"], flags=attrs["flags"], region_code=county)
        ent.signature = library.enterprise_signature(ent)
        ctx = SimpleNamespace(n=n, eid=eid, uid=uid, upload_id=upload_id, attrs=attrs, county=county,
                              sample=n <= self.sample, events=[], ent=ent, regulator=self.regulator_of[county],
                              photo_json=f"[{upload_id}]")
        schedules = {}
        for recurrence, code, due_day in (("monthly", "MONTHLY", rng.choice((10, 15, 20))),
                                          ("quarterly", "FULL", 15)):
            sid = self._take(Schedule)
            schedules[recurrence] = (sid, code, due_day)
            rows["schedule"].append((sid, eid, self.templates[code].id, recurrence, 1, due_day, uid, True))
        from app.bench.runs import make_run

        last_runs = []
        for recurrence, period in self.periods:
            sid, code, due_day = schedules[recurrence]
            run = make_run(self, ctx, rows, sid, self.versions[code], self.templates[code].name, period, due_day)
            if run is not None and recurrence == "monthly":
                last_runs.append(run)
        rows["audit"].extend(self.chains.rows_for(eid, ctx.events))
        for run_id, due in last_runs[-3:]:
            note_at = at_local(due - timedelta(days=3), 8)
            rows["note"].append((self.next_note, uid, "selfcheck_due", "selfcheck", run_id, f"D-3@{due.isoformat()}",
                                 f"自查将于{due.isoformat()}到期", "请按时完成本期环保自查。",
                                 f"/ent/selfchecks/{run_id}", eid, note_at,
                                 note_at + timedelta(hours=2) if due < self.today else None))
            self.next_note += 1

    # --- reports -------------------------------------------------------------------------

    def report_number(self, county: str, year: int) -> tuple[str, int, str]:
        region = county[:4] + "00"
        seq = self.report_counters.get((region, year), 0) + 1
        self.report_counters[(region, year)] = seq
        return region, seq, f"{self.prefix}-{region}-{year}-{seq:06d}"

    def snapshot(self, ctx, run: dict, items, failed_ids, problems: list[dict], number: str) -> dict:
        attrs = ctx.attrs
        sections: dict[str, dict] = {}
        weights = {"compliant": 0, "applicable": 0}
        for item in items:
            s = sections.setdefault(item.section_code, {"code": item.section_code, "title": item.section_title,
                                                        "_ok": 0, "_all": 0, "checked": 0, "compliant": 0,
                                                        "non_compliant": 0, "not_applicable": 0})
            weight = {"一般": 1, "较重": 3, "重大": 5}[item.severity]
            s["checked"] += 1
            s["_all"] += weight
            weights["applicable"] += weight
            if item.id in failed_ids:
                s["non_compliant"] += 1
            else:
                s["compliant"] += 1
                s["_ok"] += weight
                weights["compliant"] += weight
        out_sections = []
        for s in sections.values():
            score = round(100.0 * s.pop("_ok") / s.pop("_all"), 1)
            out_sections.append({"score": score, **s})
        checked = len(items)
        return {
            "number": number,
            "enterprise": {"id": ctx.eid, "name": attrs["name"], "uscc": attrs["uscc"],
                           "industry": attrs["industry_name"], "region": ctx.county, "address": attrs["address"],
                           "permit_no": attrs["permit_no"], "permit_class": attrs["permit_class"],
                           "permit_valid_until": attrs["permit_valid_until"].isoformat()
                           if attrs["permit_valid_until"] else None},
            "selfcheck": {"id": run["id"], "title": run["title"], "period_label": run["period_label"],
                          "due_date": run["due_date"].isoformat(), "late": run["late"]},
            "submitted_by": f"环保专员{ctx.n}", "submitted_at": isoformat(run["submitted_at"]),
            "score": run["score"], "grade": run["grade"], "grade_label": evaluate.GRADE_LABELS[run["grade"]],
            "totals": {"checked": checked, "compliant": checked - len(failed_ids), "non_compliant": len(failed_ids),
                       "not_applicable": 0},
            "previous": None, "trend": None, "sections": out_sections,
            "problems": [{"problem_id": p["id"], "item_code": p["item_code"], "question": p["title"],
                          "observed": p["description"], "severity": p["severity"], "legal_basis": p["legal_basis"],
                          "recommendation": p["recommendation"], "deadline": p["deadline"].isoformat(),
                          "photo_upload_ids": p["upload_ids"]} for p in problems],
            "warnings": [],
        }


def seed(enterprises: int, months: int, seed_value: int = 42, echo=print) -> dict:
    return Seeder(enterprises, months, seed_value, echo=echo).run()


__all__ = ["PASSWORD", "Seeder", "add_days", "datetime", "local_date", "read_meta", "sample_size", "seed"]
