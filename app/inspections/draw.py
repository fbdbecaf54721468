"""The 双随机 draw as a pure function of (seed, candidates, inspector pool, ratios, team size).

Enterprises: weighted sampling without replacement (Efraimidis–Spirakis) per supervision category, each
candidate's uniform number taken from SHA-256(seed, enterprise id), so a low credit grade (higher weight)
is drawn more often. Inspectors: the pool ranked by SHA-256(seed, enterprise id, user id). Anyone with the
stored inputs gets the same result, on any machine.
"""
import hashlib
import math

ALGORITHM = "es-sha256-v1"


def uniform(seed: str, *parts) -> float:
    digest = hashlib.sha256(":".join([seed, *map(str, parts)]).encode()).hexdigest()
    return (int(digest[:13], 16) + 0.5) / 16 ** 13  # strictly inside (0, 1)


def run(seed: str, candidates: list[dict], pool: list[int], ratios: dict, team_size: int) -> list[dict]:
    """[{enterprise_id, category, inspector_ids}] in enterprise id order."""
    chosen = []
    for category in sorted({c["category"] for c in candidates}):
        group = [c for c in candidates if c["category"] == category]
        ratio = float(ratios.get(category, 0))
        count = min(len(group), math.ceil(len(group) * ratio)) if ratio > 0 else 0
        keyed = sorted(group, key=lambda c: (-math.log(uniform(seed, "e", c["enterprise_id"])) / c["weight"],
                                             c["enterprise_id"]))
        chosen.extend(keyed[:count])
    out = []
    for c in sorted(chosen, key=lambda c: c["enterprise_id"]):
        team = sorted(pool, key=lambda uid, eid=c["enterprise_id"]: (uniform(seed, "i", eid, uid), uid))[:team_size]
        out.append({"enterprise_id": c["enterprise_id"], "category": c["category"], "inspector_ids": team})
    return out
