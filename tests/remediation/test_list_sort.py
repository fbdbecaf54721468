"""The problem list sorts by the nearest deadline (default), the newest, or the gravest first; a bad sort is a 422."""
import time_machine


def test_problem_list_sorts(auth, world):
    with time_machine.travel("2026-11-20T10:00:00+08:00", tick=True):
        ehs = auth.client("ehs-a")
        made = []
        for title, severity, days in [("标识破损", "一般", 5), ("废气超标", "重大", 30), ("台账缺失", "较重", 10)]:
            r = ehs.post("/api/problems", json={"title": title, "severity": severity, "deadline_days": days})
            assert r.status_code == 201, r.get_json()
            made.append(r.get_json()["id"])

        def titles(sort=None):
            q = "?per_page=10" + (f"&sort={sort}" if sort else "")
            return [p["title"] for p in ehs.get(f"/api/problems{q}").get_json()["items"] if p["id"] in made]

        assert titles() == titles("deadline") == ["标识破损", "台账缺失", "废气超标"]
        assert titles("-created") == ["台账缺失", "废气超标", "标识破损"]
        assert titles("severity") == ["废气超标", "台账缺失", "标识破损"]
        bad = ehs.get("/api/problems?sort=name")
        assert bad.status_code == 422 and "sort" in bad.get_json()["error"]["details"]["fields"]
