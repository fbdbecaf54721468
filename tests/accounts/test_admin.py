"""Administration: enterprises and users within the admin's jurisdiction, and bulk import."""
import io

import pytest
from openpyxl import Workbook

from app.accounts.uscc import make_uscc

VALID = {"name": "新建化工有限公司", "uscc": make_uscc("91230102MA9000001"), "industry_code": "C2614",
         "industry_name": "有机化学原料制造", "region_code": "230102", "permit_class": "简化管理"}


def test_city_admin_creates_enterprise_in_jurisdiction(auth, world):
    client = auth.client("regadmin-city")
    response = client.post("/api/admin/enterprises", json=VALID)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["region_name"] == "道里区"


def test_city_admin_cannot_create_outside_jurisdiction(auth, world):
    response = auth.client("regadmin-city").post("/api/admin/enterprises", json={**VALID, "region_code": "230602"})
    assert response.status_code == 403


@pytest.mark.parametrize("field,value", [("uscc", "91230102MA90000010"), ("permit_class", "随便"),
                                         ("region_code", "12"), ("name", "")])
def test_bad_enterprise_fields_are_named(auth, world, field, value):
    response = auth.client("sysadmin").post("/api/admin/enterprises", json={**VALID, field: value})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]["fields"]


def test_duplicate_uscc_is_409(auth, world):
    client = auth.client("sysadmin")
    assert client.post("/api/admin/enterprises", json=VALID).status_code == 201
    assert client.post("/api/admin/enterprises", json=VALID).status_code == 409


@pytest.mark.parametrize("username", ["ehs-a", "reg-city"])
def test_non_admins_cannot_administer(auth, world, username):
    assert auth.client(username).post("/api/admin/enterprises", json=VALID).status_code == 403


def test_admin_lists_only_users_in_scope(auth, world):
    body = auth.client("regadmin-city").get("/api/admin/users?per_page=100").get_json()
    names = {u["username"] for u in body["items"]}
    assert {"ehs-a", "ehs-b", "reg-city", "reg-county-a"} <= names
    assert "ehs-c" not in names and "reg-other" not in names


def test_created_user_must_change_password(auth, world):
    client = auth.client("regadmin-city")
    response = client.post("/api/admin/users", json={
        "username": "new-ehs", "display_name": "新用户", "role": "enterprise_staff",
        "enterprise_id": world.enterprises["a"], "password": "Initial123"})
    assert response.status_code == 201
    login = auth.client().post("/api/auth/login", json={"username": "new-ehs", "password": "Initial123"})
    assert login.get_json()["user"]["must_change_password"] is True


def test_admin_cannot_attach_user_to_enterprise_outside_scope(auth, world):
    response = auth.client("regadmin-city").post("/api/admin/users", json={
        "username": "sneaky", "display_name": "x", "role": "enterprise_admin",
        "enterprise_id": world.enterprises["c"], "password": "Initial123"})
    assert response.status_code == 404


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ["企业名称", "统一社会信用代码", "行业代码", "行业名称", "行政区划代码", "管理类别"]


def test_import_reports_bad_rows_and_keeps_good_ones(auth, world):
    good1 = make_uscc("91230102MA9000011")
    good2 = make_uscc("91230103MA9000012")
    data = _xlsx([
        HEADER,
        ["甲公司", good1, "C2614", "化工", "230102", "重点管理"],
        ["乙公司", "BADCODE", "C2614", "化工", "230102", "重点管理"],
        ["丙公司", good2, "C2614", "化工", "230103", "不存在"],
        ["丁公司", good1, "C2614", "化工", "230102", "重点管理"],
        ["=HYPERLINK(\"x\")", make_uscc("91230102MA9000013"), "C2614", "化工", "230102", "重点管理"],
        ["戊公司", make_uscc("91230602MA9000014"), "C2614", "化工", "230602", "重点管理"],
        ["己公司", good2, "C2614", "化工", "230103", "简化管理"],
    ])
    client = auth.client("regadmin-city")
    response = client.post("/api/admin/enterprises/import",
                           data={"file": (io.BytesIO(data), "企业.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["imported"] == 2
    errors = {(e["row"], e["column"]) for e in body["errors"]}
    assert errors == {(3, "统一社会信用代码"), (4, "管理类别"), (5, "统一社会信用代码"), (6, "企业名称"),
                      (7, "行政区划代码")}
    listed = client.get("/api/admin/enterprises?q=公司").get_json()
    assert {e["name"] for e in listed["items"]} == {"甲公司", "己公司"}


@pytest.mark.parametrize("filename,payload,code", [
    ("empty.csv", b"", "empty_file"),
    ("headers.csv", "名称,代码\n甲,1\n".encode(), "bad_headers"),
    ("junk.xlsx", b"not a workbook", "bad_file"),
])
def test_import_rejects_unusable_files(auth, world, filename, payload, code):
    response = auth.client("sysadmin").post("/api/admin/enterprises/import",
                                            data={"file": (io.BytesIO(payload), filename)},
                                            content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code


def test_import_csv(auth, world):
    text = ",".join(HEADER) + "\n" + f"庚公司,{make_uscc('91230102MA9000021')},C2614,化工,230102,登记管理\n"
    response = auth.client("sysadmin").post("/api/admin/enterprises/import",
                                            data={"file": (io.BytesIO(text.encode("utf-8-sig")), "a.csv")},
                                            content_type="multipart/form-data")
    assert response.get_json() == {"imported": 1, "errors": []}


def test_an_admin_cannot_switch_off_their_own_account(auth, world):
    admin = auth.client("sysadmin")
    me = world.users["sysadmin"]
    for change, field in (({"active": False}, "active"), ({"locked": True}, "locked")):
        refused = admin.patch(f"/api/admin/users/{me}", json=change)
        assert refused.status_code == 422 and field in refused.get_json()["error"]["details"]["fields"]
    assert admin.get("/api/auth/me").status_code == 200  # still logged in and active
    assert admin.patch(f"/api/admin/users/{me}", json={"display_name": "系统管理员（改名）"}).status_code == 200
