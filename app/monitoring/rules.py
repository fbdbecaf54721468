"""The monitoring rules file (rules.yaml, or the file named by config MONITORING_RULES_PATH)."""
from functools import cache
from pathlib import Path

import yaml
from flask import current_app

DEFAULT_PATH = Path(__file__).resolve().parent / "rules.yaml"


@cache
def _load(path: str, mtime_ns: int) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_rules() -> dict:
    """The rules, re-read when the file's path or modification time changes."""
    path = Path(current_app.config.get("MONITORING_RULES_PATH") or DEFAULT_PATH)
    return _load(str(path), path.stat().st_mtime_ns)
