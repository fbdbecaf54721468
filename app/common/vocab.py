"""Words every feature shares, defined once: severities and their validator.

Status rules that belong to one model live on that model (``Problem.is_overdue`` and
``Problem.overdue_clause``, ``SelfCheck.is_overdue`` …); this module holds only what has no model.
"""
import enum

from marshmallow import validate


class Severity(enum.StrEnum):
    """问题严重程度 (the checklist library and every problem use these three words)."""

    GENERAL = "一般"
    SERIOUS = "较重"
    MAJOR = "重大"


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
SEVERITY_ERROR = "应为一般、较重或重大"


def severity_validator() -> validate.OneOf:
    return validate.OneOf(SEVERITIES, error=SEVERITY_ERROR)
