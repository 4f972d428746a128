"""The HTTP service end to end: a real `zonecheck serve` process on SQLite and on PostgreSQL, called over
HTTP. One server per database for the whole module; its rule pack is a copy, changed at the end."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import pytest
import yaml
from sqlalchemy import create_engine, text

from api_support import ROOT, Server, new_database
from test_rule_cases import CASES, as_of, build
from zonecheck.engine.screener import Screener
from zonecheck.service.present import full

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp(f"api-{request.param}")
    shutil.copytree(ROOT / "rules", folder / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    running = Server(new_database(request.param, folder), folder, args=["--rules", str(folder / "rules")]).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def screener_key(server: Server) -> str:
    return server.key("screener", zones=["demo-east", "longchang-neirong", "beihai-tieshan"])


@pytest.fixture(scope="module")
def api(server: Server, screener_key: str) -> Iterator[httpx.Client]:
    with server.client(screener_key) as client:
        yield client


@pytest.fixture(scope="module")
def engine() -> Screener:
    return Screener(ROOT / "rules" / "national")


def body_of(path: Path) -> bytes:
    return orjson.dumps(yaml.safe_load(path.read_text(encoding="utf-8")))


def without_time(verdict: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in verdict.items() if k != "generated_at"}


def expected(engine: Screener, data: Any, day: dt.date | None = None) -> dict[str, Any]:
    """The CLI's full document (`full.to_json_bytes`, both languages), as the service renders it."""
    return orjson.loads(full.to_json_bytes(engine.screen(data, as_of=day, timestamp=False)))


def test_examples_over_http_give_the_engines_verdicts(api: httpx.Client, engine: Screener) -> None:
    for path in EXAMPLES:
        body = body_of(path)
        answer = api.post("/v1/screenings", content=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 201, answer.text
        record = answer.json()
        assert answer.headers["location"] == f"/v1/screenings/{record['id']}"
        assert without_time(record["verdict"]) == expected(engine, orjson.loads(body)), path.name
        assert record["decision"] == record["verdict"]["decision"] == path.name.split("-")[0]  # named by decision
        again = api.get(answer.headers["location"])
        assert again.status_code == 200 and again.json()["verdict"] == record["verdict"]


def test_every_rule_case_over_http_gives_the_engines_verdict(server: Server, api: httpx.Client, engine: Screener) -> None:
    # the verdict does not depend on the database: every case on SQLite, every 8th on PostgreSQL
    cases = CASES if server.database_url.startswith("sqlite") else CASES[::8]

    def one(item: tuple[str, str, dict[str, Any]]) -> None:
        rule_id, name, case = item
        proposal = build(case)
        day = as_of(case)
        params = {"as_of": day.isoformat()} if day else {}
        answer = api.post("/v1/screenings", content=orjson.dumps(proposal), params=params)
        assert answer.status_code == 201, f"{rule_id} / {name}: {answer.text}"
        assert without_time(answer.json()["verdict"]) == expected(engine, proposal, day), f"{rule_id} / {name}"

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, cases))


def test_a_dry_run_stores_nothing(api: httpx.Client, engine: Screener) -> None:
    before = api.get("/v1/screenings", params={"limit": 200}).json()["items"]
    body = body_of(EXAMPLES[0])
    answer = api.post("/v1/evaluations", content=body)
    assert answer.status_code == 200 and answer.json()["stored"] is False
    assert without_time(answer.json()["verdict"]) == expected(engine, orjson.loads(body))
    assert api.get("/v1/screenings", params={"limit": 200}).json()["items"] == before


def test_idempotency_key_replays_and_conflicts_per_api_key(server: Server, api: httpx.Client) -> None:
    body = body_of(EXAMPLES[1])
    first = api.post("/v1/screenings", content=body, headers={"Idempotency-Key": "retry-1"})
    replay = api.post("/v1/screenings", content=body, headers={"Idempotency-Key": "retry-1"})
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["id"] == first.json()["id"] and replay.json()["verdict"] == first.json()["verdict"]
    conflict = api.post("/v1/screenings", content=body.replace(b'"name":"', b'"name":"X'),
                        headers={"Idempotency-Key": "retry-1"})
    assert conflict.status_code == 409 and conflict.headers["content-type"] == "application/problem+json"
    with server.client(server.key("screener", zones=["demo-east", "longchang-neirong", "beihai-tieshan"])) as other:
        elsewhere = other.post("/v1/screenings", content=body, headers={"Idempotency-Key": "retry-1"})
    assert elsewhere.status_code == 201 and elsewhere.json()["id"] != first.json()["id"]


def test_list_filters_and_cursor_pagination(api: httpx.Client) -> None:
    everything: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get("/v1/screenings", params={"limit": 7, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        everything += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    ids = [item["id"] for item in everything]
    assert len(ids) == len(set(ids)) > len(EXAMPLES) + 40
    rejected = api.get("/v1/screenings", params={"decision": "rejected", "limit": 200}).json()["items"]
    assert rejected and all(item["decision"] == "rejected" for item in rejected)
    zone = api.get("/v1/screenings", params={"zone": "longchang-neirong", "limit": 200}).json()["items"]
    assert zone and all(item["zone"] == "longchang-neirong" for item in zone)
    ref = everything[-1]["reference"]
    assert all(i["reference"] == ref for i in api.get("/v1/screenings", params={"reference": ref}).json()["items"])
    code = api.get("/v1/screenings", params={"industry_code": "3812"}).json()["items"]
    assert code and all(item["industry_code"] == "3812" for item in code)
    dated = api.get("/v1/screenings", params={"screened_from": "2026-11-02", "screened_to": "2026-11-02",
                                              "limit": 200}).json()["items"]
    assert dated and all(item["screening_date"] == "2026-11-02" for item in dated)
    since = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert api.get("/v1/screenings", params={"created_from": since.isoformat()}).json()["items"] == []
    bad = api.get("/v1/screenings", params={"cursor": "nonsense!", "decision": "maybe"})
    assert bad.status_code == 422 and {e["path"] for e in bad.json()["errors"]} >= {"decision"}


def test_project_code_is_stored_and_filtered(api: httpx.Client) -> None:
    made = api.post("/v1/screenings", content=body_of(EXAMPLES[2]), params={"project_code": "2026-440300-38-03-000001"})
    assert made.status_code == 201 and made.json()["project_code"] == "2026-440300-38-03-000001"
    found = api.get("/v1/screenings", params={"project_code": "2026-440300-38-03-000001"}).json()["items"]
    assert [item["id"] for item in found] == [made.json()["id"]]


def test_reports_in_each_format_and_language(api: httpx.Client) -> None:
    record = api.post("/v1/screenings", content=body_of(EXAMPLES[-1])).json()
    for fmt, media in (("html", "text/html"), ("markdown", "text/markdown"), ("text", "text/plain")):
        for lang, word in (("zh", "结论"), ("en", "Decision")):
            report = api.get(f"/v1/screenings/{record['id']}/report", params={"format": fmt, "lang": lang})
            assert report.status_code == 200 and report.headers["content-type"].startswith(media)
            assert word in report.text and record["reference"] in report.text
    english = api.get(f"/v1/screenings/{record['id']}/report", params={"format": "text"},
                      headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.headers["content-language"] == "en" and "Decision" in english.text


def test_officer_decisions_are_appended(api: httpx.Client) -> None:
    record = api.post("/v1/screenings", content=body_of(EXAMPLES[0])).json()
    url = f"/v1/screenings/{record['id']}/decision"
    first = api.post(url, json={"outcome": "accept", "reason": "与审查意见一致", "officer": "王审查"})
    second = api.post(url, json={"outcome": "override", "decision": "revise", "reason": "现场核查：容积率不足",
                                 "officer": "李科长"})
    assert (first.status_code, second.status_code) == (201, 201)
    stored = api.get(f"/v1/screenings/{record['id']}").json()
    assert [d["outcome"] for d in stored["officer_decisions"]] == ["accept", "override"]
    assert stored["officer_decisions"][0]["decision"] == record["decision"]
    assert stored["final_decision"] == "revise" and stored["decision"] == record["decision"]
    assert stored["verdict"] == record["verdict"]
    bad = api.post(url, json={"outcome": "override", "reason": "", "officer": "李"})
    assert bad.status_code == 422 and {e["path"] for e in bad.json()["errors"]} == {"reason"}
    assert len(api.get(f"/v1/screenings/{record['id']}").json()["officer_decisions"]) == 2


def test_a_bad_proposal_gets_every_field_and_stores_nothing(api: httpx.Client) -> None:
    before = api.get("/v1/screenings", params={"limit": 1}).json()["items"]
    data = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    data["project"]["industry_code"] = "38x"
    data["land"]["site_area_m2"] = -5
    data.pop("reference")
    reasons: dict[str, list[str]] = {}
    for accept, title in (("zh-CN", "申报材料有误"), ("en", "The proposal is not valid")):
        answer = api.post("/v1/screenings", content=orjson.dumps(data), headers={"Accept-Language": accept})
        assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["title"] == title and problem["status"] == 422
        paths = {e["path"] for e in problem["errors"]}
        assert {"reference", "project.industry_code", "land.site_area_m2"} <= paths
        assert all(e["label"] and e["reason"] for e in problem["errors"])
        assert any(e["label"] == "项目编号" for e in problem["errors"])
        area = next(e for e in problem["errors"] if e["path"] == "land.site_area_m2")
        assert area["value"] == -5 and {"allowed", "suggestion", "line", "column"} <= set(area)
        reasons[accept] = [e["reason"] for e in problem["errors"]]
    assert reasons["zh-CN"] != reasons["en"]  # each in the request's language
    for junk in (b"{", b"[1, 2]", b"null", "名称".encode(), b'{"zone": 5}'):
        answer = api.post("/v1/screenings", content=junk)
        assert answer.status_code == 422, junk
    assert api.get("/v1/screenings", params={"limit": 1}).json()["items"] == before


def test_an_oversized_body_is_413(api: httpx.Client) -> None:
    answer = api.post("/v1/screenings", content=b"{" + b" " * 1_000_001 + b"}")
    assert answer.status_code == 413 and answer.json()["status"] == 413


def test_health_ready_metrics_need_no_key_and_v1_does(server: Server) -> None:
    with server.client() as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        assert anonymous.get("/readyz").json()["status"] == "ready"
        metrics = anonymous.get("/metrics").text
        assert "zonecheck_http_requests_total" in metrics and "zonecheck_screenings_total" in metrics
        assert "zonecheck_http_request_duration_seconds_bucket" in metrics
        assert anonymous.get("/openapi.json").status_code == 200
        for path in ("/v1/screenings", "/v1/rules", "/v1/zones", "/v1/packs", "/v1/schemas/proposal"):
            answer = anonymous.get(path)
            assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer"), path
    with server.client("zc_not-a-key") as stranger:
        assert stranger.get("/v1/screenings").status_code == 401


def test_catalogue_routes(api: httpx.Client) -> None:
    rules = api.get("/v1/rules", params={"as_of": "2026-11-02", "zone": "longchang-neirong"}).json()
    assert len(rules["rules"]) == len(Screener().pack.rules) and rules["zone"] == "longchang-neirong"
    assert any(p["in_force"] for r in rules["rules"] for p in r["parameters"])
    one = api.get("/v1/rules/INT-PLOT-RATIO").json()
    assert one["id"] == "INT-PLOT-RATIO" and one["text"]
    assert api.get("/v1/rules/NO-SUCH-RULE").status_code == 404
    assert api.get("/v1/rules", params={"zone": "atlantis"}).status_code == 422
    assert {z["id"] for z in api.get("/v1/zones").json()} >= {"demo-east", "longchang-neirong", "beihai-tieshan"}
    packs = api.get("/v1/packs").json()
    assert [p["current"] for p in packs] == [True] and packs[0]["files"] > 0
    assert api.get("/v1/schemas/proposal").json()["title"] == "Proposal"
    assert "decision" in api.get("/v1/schemas/verdict").json()["required"]
    for detail, name in (("full", "verdict-full"), ("structured", "verdict-structured")):
        published = json.loads((ROOT / "docs" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert api.get("/v1/schemas/verdict", params={"detail": detail}).json() == published
    assert "needs_review" in api.get("/v1/schemas/verdict").json()["properties"]["decision"]["enum"]


def test_access_log_is_json_lines_with_the_request_id(server: Server, api: httpx.Client) -> None:
    answer = api.get("/v1/zones", headers={"X-Request-ID": "trace-4711"})
    assert answer.headers["x-request-id"] == "trace-4711"
    for _ in range(50):  # the line is written once the answer has gone out
        lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        mine = [line for line in lines if line["request_id"] == "trace-4711"]
        if mine:
            break
        time.sleep(0.05)
    assert mine and mine[0]["status"] == 200 and mine[0]["route"] == "/v1/zones" and mine[0]["key"].startswith("key_")


def _tamper(url: str, table: str, column: str, row_id: str) -> bytes:
    engine = create_engine(url)
    with engine.begin() as connection:
        original = connection.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}).scalar_one()
        changed = bytearray(original)
        changed[len(changed) // 2] ^= 0x01
        connection.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), {"v": bytes(changed), "id": row_id})
    engine.dispose()
    return bytes(original)


def _restore(url: str, table: str, column: str, row_id: str, original: bytes) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), {"v": original, "id": row_id})
    engine.dispose()


def test_one_changed_byte_breaks_audit_verify_and_names_it(server: Server, api: httpx.Client) -> None:
    ok = server.cli("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    count, head = server.cli("audit", "head").stdout.split()
    assert int(count) > len(EXAMPLES) + 40 and len(head) == 64
    victim = api.get("/v1/screenings", params={"limit": 5}).json()["items"][3]["id"]
    for column in ("verdict", "proposal"):
        original = _tamper(server.database_url, "screenings", column, victim)
        broken = server.cli("audit", "verify")
        assert broken.returncode == 1 and victim in broken.stderr and column in broken.stderr, broken.stderr
        _restore(server.database_url, "screenings", column, victim, original)


def test_restart_loses_nothing_and_a_newer_pack_never_changes_a_stored_verdict(server: Server, api: httpx.Client) -> None:
    items = api.get("/v1/screenings", params={"limit": 200}).json()["items"]
    victim = items[0]["id"]
    before = api.get(f"/v1/screenings/{victim}").content
    reports = {fmt: api.get(f"/v1/screenings/{victim}/report", params={"format": fmt, "lang": "en"}).content
               for fmt in ("html", "markdown", "text")}
    old_hash = api.get("/v1/packs").json()[0]["hash"]
    text_zh = api.get(f"/v1/screenings/{victim}/report", params={"format": "text", "lang": "zh"}).content
    rules = server.folder / "rules"
    changes = [(rules / "national" / "pack.yaml", "version: ", "version: 9"),  # a new pack version, and
               (rules / "national" / "rules" / "intensity.yaml",  # a title every verdict and report shows
                "en: Plot ratio at or above the control value", "en: Plot ratio CHANGED"),
               *[(zone, "name: {zh: ", "name: {zh: 改名") for zone in sorted((rules / "zones").glob("*.yaml"))]]
    for path, old, new in changes:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    server.restart()
    assert api.get("/v1/screenings", params={"limit": 200}).json()["items"] == items
    assert api.get(f"/v1/screenings/{victim}").content == before
    for fmt, content in reports.items():
        assert api.get(f"/v1/screenings/{victim}/report", params={"format": fmt, "lang": "en"}).content == content
    reread = api.get(f"/v1/screenings/{victim}/report", params={"format": "text", "lang": "zh"}).content
    assert reread == text_zh
    newer = api.post("/v1/screenings", content=body_of(EXAMPLES[0])).json()
    assert newer["pack"]["hash"] != old_hash and newer["pack"]["version"].startswith("9")
    assert newer["verdict"]["zone"]["name"]["zh"].startswith("改名")  # the changes are live for new screenings
    assert any(f["title"]["en"] == "Plot ratio CHANGED" for f in newer["verdict"]["findings"])
    assert b"CHANGED" not in api.get(f"/v1/screenings/{victim}").content
    packs = {p["hash"]: p for p in api.get("/v1/packs").json()}
    assert packs[old_hash]["current"] is False and packs[old_hash]["files"] > 0
    assert packs[newer["pack"]["hash"]]["current"] is True
    assert server.cli("audit", "verify").returncode == 0
