"""The province's rules pack for cases: the lists, the violation catalogue, the discretion standard, articles."""
from functools import cache
from pathlib import Path

import yaml
from flask import current_app

RULES_DIR = Path(__file__).resolve().parent / "rules"
DEFAULT_PROVINCE = "230000"
LIST_KEYS = ("no_penalty", "minor_no_penalty", "first_offence_no_penalty", "lighter", "mitigated", "no_coercion")
LIST_DECISION = {"no_penalty": "no_penalty", "minor_no_penalty": "no_penalty",
                 "first_offence_no_penalty": "no_penalty", "lighter": "lighter", "mitigated": "mitigated"}


@cache
def _read(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _dir() -> Path:
    return Path(current_app.config.get("CASE_RULES_DIR") or RULES_DIR)


def province_of(region_code: str | None) -> str:
    return f"{(region_code or DEFAULT_PROVINCE)[:2]}0000"


def national() -> dict:
    return _read(str(_dir() / "national.yaml"))


def pack(province: str) -> dict:
    """The province's pack (Heilongjiang's when the province ships none), with national sources merged in."""
    path = _dir() / f"{province}.yaml"
    if not path.exists():
        path = _dir() / f"{DEFAULT_PROVINCE}.yaml"
    data = _read(str(path))
    return {**data, "sources": {**national().get("sources", {}), **data.get("sources", {})}}


def entry_lists(entry: dict) -> list[str]:
    value = entry["list"]
    return list(value) if isinstance(value, list) else [value]


def violation(province: str, code: str | None) -> dict | None:
    return pack(province).get("violations", {}).get(code) if code else None


def article_text(law: str, article: str) -> dict | None:
    return national().get("articles", {}).get(f"{law} {article}")


def source_of(province: str, key: str | None) -> dict | None:
    return pack(province)["sources"].get(key) if key else None
