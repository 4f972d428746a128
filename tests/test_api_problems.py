"""Every answer that is not a success is an RFC 9457 problem in the request's language (Chinese unless
asked otherwise), with a status that says what happened, and never a 500 for a condition we can foresee:
FastAPI's own request validation, input PostgreSQL would refuse, a stored record whose pack is not kept
or whose verdict is damaged. And a revoked key is refused by every worker from the very next request.
A real `zonecheck serve --workers 2` on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from typing import Any, Iterator

import httpx
import orjson
import pytest
import yaml
from sqlalchemy import create_engine, text

from api_support import ROOT, Server, new_database
from zonecheck.service.store import keys
from zonecheck.service.store.db import Database

BASE = yaml.safe_load((ROOT / "examples" / "approved-motor-plant.yaml").read_text(encoding="utf-8"))
CJK = re.compile(r"[\u4e00-\u9fff]")
FIELD_KEYS = {"path", "label", "reason", "value", "allowed", "suggestion", "file", "line", "column"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"problems-{request.param}")
    running = Server(new_database(request.param, folder), folder, workers=2).start()
    yield running
    running.stop()
    statuses = [json.loads(line)["status"] for line in running.log().splitlines() if line.startswith('{"ts"')]
    assert statuses and 500 not in statuses


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with server.client(server.key("screener")) as client:
        yield client


def problem(answer: httpx.Response, status: int, kind: str, lang: str = "zh") -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == f"urn:zonecheck:problem:{kind}" and body["status"] == status
    assert bool(CJK.search(body["title"])) == (lang == "zh"), body
    for error in body.get("errors") or []:
        assert set(error) == FIELD_KEYS, error
        assert error["path"] is not None and error["label"] and error["reason"], error
        assert bool(CJK.search(error["reason"])) == (lang == "zh"), error
    if "detail" in body:
        assert bool(CJK.search(body["detail"])) == (lang == "zh"), body
    return body


def paths(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["path"]: e for e in body["errors"]}


def test_request_validation_is_our_problem_in_the_request_language(api: httpx.Client) -> None:
    record = api.post("/v1/screenings", content=orjson.dumps(BASE)).json()["id"]
    cases = [
        ("/v1/screenings", {"limit": "abc"}, {"limit": "每页条数"}),
        ("/v1/screenings", {"limit": "0", "decision": "maybe", "screened_from": "2026-13-01",
                            "created_to": "yesterday"},
         {"limit": "每页条数", "decision": "结论", "screened_from": "筛查日期起", "created_to": "创建时间止"}),
        ("/v1/screenings", {"screened_from": "2026-05-01", "screened_to": "2026-04-01"}, {"screened_to": "筛查日期止"}),
        ("/v1/screenings", {"created_from": "2026-05-01T00:00:00", "created_to": "2026-04-01T00:00:00+08:00"},
         {"created_to": "创建时间止"}),
        ("/v1/screenings", {"cursor": "czk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"}, {"cursor": "分页游标"}),
        ("/v1/screenings", {"zone": "x" * 101}, {"zone": "园区"}),
        (f"/v1/screenings/{record}/report", {"lang": "xx", "format": "pdf"}, {"lang": "语言", "format": "格式"}),
        ("/v1/schemas/verdict", {"detail": "everything"}, {"detail": "详略"}),
        ("/v1/rules", {"as_of": "2026-02-30"}, {"as_of": "筛查日期"}),
    ]
    for path, params, labels in cases:
        for accept, lang in (("", "zh"), ("en-GB,en;q=0.9", "en"), ("fr", "zh")):
            headers = {"Accept-Language": accept} if accept else {}
            body = problem(api.get(path, params=params, headers=headers), 422, "invalid-request", lang)
            found = paths(body)
            assert {p: found[p]["label"] for p in labels} == labels, (path, params, body)
    limit = paths(problem(api.get("/v1/screenings", params={"limit": "abc"}), 422, "invalid-request"))["limit"]
    assert limit["value"] == "abc" and limit["reason"] == "应为整数"
    header = api.post("/v1/screenings", content=orjson.dumps(BASE), headers={"Idempotency-Key": "k" * 201})
    assert paths(problem(header, 422, "invalid-request"))["idempotency-key"]["label"] == "幂等键"
    decision = api.post(f"/v1/screenings/{record}/decision", params={"lang": "en"}, json={"outcome": "perhaps"})
    assert set(paths(problem(decision, 422, "invalid-request", "en"))) == {"outcome", "reason", "officer"}


def test_input_the_database_would_refuse_is_422_or_404(server: Server, api: httpx.Client) -> None:
    before = api.get("/v1/screenings", params={"limit": 200}).json()["items"]
    for field in ("reference", "name"):
        answer = api.post("/v1/screenings", content=orjson.dumps({**BASE, field: "A\x00B"}))
        assert list(paths(problem(answer, 422, "invalid-proposal"))) == [field]
    nested = {**BASE, "project": {**BASE["project"], "industry_code": "36\x0060"}}
    assert list(paths(problem(api.post("/v1/screenings", content=orjson.dumps(nested)), 422, "invalid-proposal"))) \
        == ["project.industry_code"]
    long = api.post("/v1/screenings", content=orjson.dumps({**BASE, "reference": "R" * 201}))
    assert paths(problem(long, 422, "invalid-proposal"))["reference"]["label"] == "项目编号"
    code = api.post("/v1/screenings", content=orjson.dumps(BASE), params={"project_code": "P\x00"})
    assert list(paths(problem(code, 422, "invalid-request"))) == ["project_code"]
    for params in ({"reference": "a\x00b"}, {"zone": "\x00"}, {"industry_code": "\x00"}):
        problem(api.get("/v1/screenings", params=params), 422, "invalid-request")
    problem(api.get("/v1/screenings/scr_%00"), 404, "not-found")
    problem(api.get("/v1/screenings/scr_%00/report"), 404, "not-found")
    record = api.post("/v1/screenings", content=orjson.dumps(BASE)).json()["id"]
    bad = api.post(f"/v1/screenings/{record}/decision", json={"outcome": "accept", "reason": "同意\x00", "officer": "王"})
    assert list(paths(problem(bad, 422, "invalid-request"))) == ["reason"]
    with server.client(server.key("admin")) as admin:
        problem(admin.delete("/v1/keys/key_%00"), 404, "not-found")
        made = admin.post("/v1/keys", json={"role": "auditor", "all_zones": True, "label": "x\x00"})
        assert list(paths(problem(made, 422, "invalid-request"))) == ["label"]
    assert len(api.get("/v1/screenings", params={"limit": 200}).json()["items"]) == len(before) + 1


def _set_verdict(url: str, screening_id: str, change: Any) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        stored = connection.execute(text("SELECT verdict FROM screenings WHERE id = :id"), {"id": screening_id}).scalar_one()
        connection.execute(text("UPDATE screenings SET verdict = :v WHERE id = :id"),
                           {"v": change(bytes(stored)), "id": screening_id})
    engine.dispose()


def test_a_record_that_cannot_be_shown_is_a_503_problem_never_a_500(server: Server, api: httpx.Client) -> None:
    missing, damaged, empty = (api.post("/v1/screenings", content=orjson.dumps({**BASE, "reference": f"GONE-{n}"})).json()
                               for n in range(3))
    old_hash = missing["pack"]["hash"].encode()  # the record now names a pack version the packs table lacks
    _set_verdict(server.database_url, missing["id"], lambda v: v.replace(old_hash, b"sha256:" + b"0" * 64))
    _set_verdict(server.database_url, damaged["id"], lambda v: v[: len(v) // 2])
    _set_verdict(server.database_url, empty["id"], lambda v: b"{}")
    for record, kind in ((missing, "stored-pack-missing"), (damaged, "stored-record-unreadable"),
                         (empty, "stored-record-unreadable")):
        for suffix in ("", "/report", "/report?format=text", "/report?format=markdown"):
            for headers, lang in (({}, "zh"), ({"Accept-Language": "en"}, "en")):
                answer = api.get(f"/v1/screenings/{record['id']}{suffix}", headers=headers)
                body = problem(answer, 503, kind, lang)
                assert record["id"] in body["detail"] or "sha256:" + "0" * 64 in body["detail"]
                assert "retry-after" not in answer.headers  # an operator must restore it: no point retrying
        english = api.get(f"/v1/screenings/{record['id']}/report", params={"lang": "en"})
        problem(english, 503, kind, "en")
        listed = api.get("/v1/screenings", params={"reference": record["reference"]}).json()["items"]
        assert [i["id"] for i in listed] == [record["id"]]  # the list still shows it: nothing is lost
        decided = api.post(f"/v1/screenings/{record['id']}/decision",
                           json={"outcome": "accept", "reason": "同意", "officer": "王"})
        assert decided.status_code == 201
    assert server.cli("audit", "verify").returncode == 1  # and the chain names the damage


def test_a_revoked_key_is_refused_by_every_worker_at_once(server: Server) -> None:
    database = Database(server.database_url)
    try:
        for revoke in ("library", "cli"):
            made = server.cli("keys", "create", "--role", "auditor", "--all-zones", check=True).stdout.splitlines()
            key_id, secret = made[0].split()[1], made[-1]
            clients = [server.client(secret) for _ in range(8)]  # separate connections: both workers serve them
            try:
                for _ in range(3):  # every worker has just seen the key live
                    assert all(c.get("/v1/zones").status_code == 200 for c in clients)
                if revoke == "library":
                    assert keys.revoke(database, key_id)
                else:
                    assert server.cli("keys", "revoke", key_id).returncode == 0
                started = time.monotonic()
                statuses = [c.get("/v1/zones").status_code for c in clients for _ in range(3)]
                assert statuses == [401] * len(statuses), (revoke, statuses, time.monotonic() - started)
                fresh = [server.client(secret) for _ in range(8)]
                assert {c.get("/v1/packs").status_code for c in fresh} == {401}
                for c in fresh:
                    c.close()
            finally:
                for c in clients:
                    c.close()
    finally:
        database.dispose()
