"""Rules packs per province (规则包): app/rules/<province code>/*.yaml, one file per subject.

A consumer asks the pack of the enterprise's province (`for_region(enterprise.region_code)` or
`section(province, "credit")`); the province is the first two digits of the region code + "0000".
Files are re-read when one of them changes (mtime), like the other rule files. A missing pack or an
invalid file is a `RulesPackError` that names the province and the file; `flask rules check` validates
every pack (exit 1 on any error).
"""
from collections.abc import Callable
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import AppGroup

from app.common.errors import DomainError

RULES_DIR = Path(__file__).resolve().parent
# file stem -> keys it must carry
REQUIRED = {
    "eligibility": ("positive_list", "credit_repair", "dynamic"),
    "warnings": ("score_drop", "lookback_days", "missed_window_days"),
    "reminders": ("selfcheck_due", "rectification_due", "obligation_due", "request_step_due",
                  "permit_expiry_days", "review_working_days"),
    "scoring": ("severity_weights", "grades", "grade_labels", "major_failure_cap"),
    "credit": ("scale", "unrated", "good_grades", "bad_grades", "penalty_categories"),
    "incidents": ("levels",),
    "remediation": ("reopen_window_days", "self_close_sample_rate", "extension"),
}
_cache: dict[str, tuple[tuple, dict]] = {}
# file stem -> a check of that section by the package that reads it (packages above this one register
# their own, so app.rules imports nothing above it)
VALIDATORS: dict[str, Callable[[dict, str], None]] = {}


def register_validator(stem: str, check: Callable[[dict, str], None]) -> None:
    VALIDATORS[stem] = check
    _cache.clear()


class RulesPackError(DomainError):
    """A province without a pack, or a pack file that does not parse or lacks a key."""

    status = 409

    def __init__(self, message: str):
        super().__init__(message, code="rules_pack_error")


def province_of(region_code: str | None) -> str:
    code = str(region_code or "")
    if len(code) < 2 or not code[:2].isdigit():
        raise RulesPackError(f"行政区划代码“{code}”无效，无法确定所在省份的规则包")
    return f"{code[:2]}0000"


def rules_dir() -> Path:
    configured = current_app.config.get("RULES_DIR") if current_app else None
    return Path(configured) if configured else RULES_DIR


def provinces() -> list[str]:
    """The provinces that ship a pack."""
    return sorted(p.name for p in rules_dir().iterdir() if p.is_dir() and p.name.isdigit() and len(p.name) == 6)


def _read_pack(folder: Path, province: str) -> dict:
    pack = {}
    for stem, keys in REQUIRED.items():
        path = folder / f"{stem}.yaml"
        if not path.exists():
            raise RulesPackError(f"{province}规则包缺少文件 {stem}.yaml")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RulesPackError(f"{province}规则包 {stem}.yaml 格式错误：{str(exc)[:200]}") from exc
        if not isinstance(data, dict):
            raise RulesPackError(f"{province}规则包 {stem}.yaml 应为键值表")
        missing = [k for k in keys if k not in data]
        if missing:
            raise RulesPackError(f"{province}规则包 {stem}.yaml 缺少：{'、'.join(missing)}")
        pack[stem] = data
    _check_values(pack, province)
    return pack


def _check_values(pack: dict, province: str) -> None:
    def bad(message):
        raise RulesPackError(f"{province}规则包：{message}")

    credit = pack["credit"]
    scale = list(credit["scale"])
    for key in ("good_grades", "bad_grades"):
        if set(credit[key]) - set(scale):
            bad(f"credit.yaml 的 {key} 含有不在等级表中的等级")
    if credit["unrated"] in scale:
        bad("credit.yaml 的 unrated（未评价）不能是评价等级之一")
    for name, c in credit["penalty_categories"].items():
        if int(c["min_publication_months"]) > int(c["max_publication_months"]):
            bad(f"credit.yaml 失信类别{name}的最短公示期长于最长公示期")
    scoring = pack["scoring"]
    if not all(isinstance(w, int | float) and w > 0 for w in scoring["severity_weights"].values()):
        bad("scoring.yaml 的严重程度权重须为正数")
    if pack["incidents"].get("suspend_at_level") not in pack["incidents"]["levels"]:
        bad("incidents.yaml 的 suspend_at_level 须是 levels 之一")
    rate = pack["remediation"]["self_close_sample_rate"]
    if not (isinstance(rate, int | float) and 0 <= rate <= 1):
        bad("remediation.yaml 的 self_close_sample_rate 须在0到1之间")
    for stem, check in VALIDATORS.items():  # e.g. the eligibility criteria named exist (app/supervision)
        check(pack[stem], province)


def pack(province: str) -> dict:
    """The whole pack of a province, re-read when a file in it changes."""
    folder = rules_dir() / province
    if not folder.is_dir():
        raise RulesPackError(f"省份{province}未配置规则包（app/rules/{province}/）")
    files = sorted(folder.glob("*.yaml"))
    key = tuple((f.name, f.stat().st_mtime_ns) for f in files) + (str(folder),)
    cached = _cache.get(province)
    if cached is None or cached[0] != key:
        _cache[province] = (key, _read_pack(folder, province))
    return _cache[province][1]


def section(province: str, name: str) -> dict:
    return pack(province)[name]


def for_region(region_code: str | None, name: str) -> dict:
    """One section of the pack of the province a region code belongs to."""
    return section(province_of(region_code), name)


def check_all() -> dict[str, str | None]:
    """Every pack: province -> None when valid, else the error message."""
    out: dict[str, str | None] = {}
    for province in provinces():
        _cache.pop(province, None)
        try:
            pack(province)
            out[province] = None
        except (RulesPackError, ValueError, KeyError, TypeError) as exc:
            out[province] = str(getattr(exc, "message", None) or exc)
    return out


rules_cli = AppGroup("rules", help="各省规则包")


@rules_cli.command("check")
def rules_check():
    """Validate every province's rules pack (exit 1 if any is invalid)."""
    results = check_all()
    for province, error in results.items():
        click.echo(f"{province}: {'通过' if error is None else error}", err=error is not None)
    if not results:
        click.echo("没有规则包", err=True)
    if not results or any(results.values()):
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(rules_cli)
