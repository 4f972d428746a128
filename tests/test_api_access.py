"""Access by role and zone over every route, on a real server: 401 without a live key, 403 for a wrong
role or zone on a write, 404 for another zone's record, and nothing stored by a refused request."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import orjson
import pytest
import yaml

from api_support import ROOT, Server, new_database

EAST = orjson.dumps(yaml.safe_load((ROOT / "examples" / "approved-motor-plant.yaml").read_text(encoding="utf-8")))
LONG = orjson.dumps({**orjson.loads(EAST), "zone": "longchang-neirong", "reference": "LC-1"})
CALLERS = ("screener-east", "screener-long", "auditor-east", "auditor-all", "admin", "revoked", "none")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    folder: Path = tmp_path_factory.mktemp(f"access-{request.param}")
    server = Server(new_database(request.param, folder), folder).start()
    keys = {"admin": server.key("admin"), "revoked": server.key("screener", ["demo-east"])}
    revoked_id = next(line.split("\t")[0] for line in server.cli("keys", "list").stdout.splitlines()
                      if line.split("\t")[1] == "screener")
    assert server.cli("keys", "revoke", revoked_id).returncode == 0
    with server.client(keys["admin"]) as admin:  # the other keys over HTTP: quicker than a CLI process each
        for name, role, zones in (("screener-east", "screener", ["demo-east"]),
                                  ("screener-long", "screener", ["longchang-neirong"]),
                                  ("auditor-east", "auditor", ["demo-east"]), ("auditor-all", "auditor", None)):
            scope = {"zones": zones} if zones else {"all_zones": True}
            keys[name] = admin.post("/v1/keys", json={"role": role, **scope}).json()["key"]
    clients = {name: server.client(keys.get(name)) for name in CALLERS}
    east = clients["screener-east"].post("/v1/screenings", content=EAST).json()["id"]
    long = clients["screener-long"].post("/v1/screenings", content=LONG).json()["id"]
    yield {"server": server, "clients": clients, "east": east, "long": long}
    for client in clients.values():
        client.close()
    server.stop()


def _count(world: dict[str, object]) -> tuple[int, ...]:
    """What a refused request must leave as it was: the screenings, the decisions on the two records."""
    auditor = world["clients"]["auditor-all"]  # type: ignore[index]
    items = auditor.get("/v1/screenings", params={"limit": 200}).json()["items"]
    decisions = [len(auditor.get(f"/v1/screenings/{world[z]}").json()["officer_decisions"]) for z in ("east", "long")]
    return len(items), *decisions


# route -> caller -> expected status; {east}/{long} are the two records' ids
READ_ONE = {"screener-east": 200, "screener-long": 404, "auditor-east": 200, "auditor-all": 200, "admin": 403,
            "revoked": 401, "none": 401}
EXPECT: dict[tuple[str, str, str], dict[str, int]] = {
    ("POST", "/v1/screenings", "east"): {"screener-east": 201, "screener-long": 403, "auditor-east": 403,
                                         "auditor-all": 403, "admin": 403, "revoked": 401, "none": 401},
    ("POST", "/v1/evaluations", "east"): {"screener-east": 200, "screener-long": 403, "auditor-east": 403,
                                          "auditor-all": 403, "admin": 403, "revoked": 401, "none": 401},
    ("GET", "/v1/screenings/{east}", ""): READ_ONE,
    ("GET", "/v1/screenings/{east}/report", ""): READ_ONE,
    ("GET", "/v1/screenings/{long}", ""): {"screener-east": 404, "screener-long": 200, "auditor-east": 404,
                                           "auditor-all": 200, "admin": 403, "revoked": 401, "none": 401},
    ("GET", "/v1/screenings", ""): {**READ_ONE, "screener-long": 200},
    ("POST", "/v1/screenings/{east}/decision", "decision"): {"screener-east": 201, "screener-long": 404,
                                                              "auditor-east": 403, "auditor-all": 403, "admin": 403,
                                                              "revoked": 401, "none": 401},
    ("POST", "/v1/screenings/{long}/decision", "decision"): {"screener-east": 404, "screener-long": 201,
                                                              "auditor-east": 403, "auditor-all": 403, "admin": 403,
                                                              "revoked": 401, "none": 401},
    **{("GET", path, ""): {name: (401 if name in ("revoked", "none") else 200) for name in CALLERS}
       for path in ("/v1/rules", "/v1/rules/INT-PLOT-RATIO", "/v1/packs", "/v1/zones", "/v1/schemas/proposal",
                    "/v1/schemas/verdict")},
    ("GET", "/v1/keys", ""): {name: {"admin": 200, "revoked": 401, "none": 401}.get(name, 403) for name in CALLERS},
    ("POST", "/v1/keys", "key"): {name: {"admin": 201, "revoked": 401, "none": 401}.get(name, 403) for name in CALLERS},
}
BODIES = {"east": EAST, "decision": orjson.dumps({"outcome": "accept", "reason": "同意", "officer": "王"}),
          "key": orjson.dumps({"role": "auditor", "zones": ["demo-east"]}), "": None}


@pytest.mark.parametrize(("method", "path", "body"), list(EXPECT), ids=[f"{m} {p}" for m, p, _ in EXPECT])
def test_every_role_and_zone_on_every_route(world: dict[str, object], method: str, path: str, body: str) -> None:
    url = path.format(east=world["east"], long=world["long"])
    for caller in CALLERS:
        before = _count(world)
        answer = world["clients"][caller].request(method, url, content=BODIES[body],  # type: ignore[index]
                                                  headers={"Content-Type": "application/json"})
        wanted = EXPECT[(method, path, body)][caller]
        assert answer.status_code == wanted, f"{caller} {method} {url}: {answer.status_code} {answer.text[:200]}"
        if wanted >= 400:
            assert answer.headers["content-type"] == "application/problem+json"
            assert _count(world) == before, f"{caller} {method} {url} stored something"


def test_lists_show_only_the_callers_zones(world: dict[str, object]) -> None:
    clients = world["clients"]
    for caller, zones in (("screener-east", {"demo-east"}), ("screener-long", {"longchang-neirong"}),
                          ("auditor-east", {"demo-east"}), ("auditor-all", {"demo-east", "longchang-neirong"})):
        items = clients[caller].get("/v1/screenings", params={"limit": 200}).json()["items"]  # type: ignore[index]
        assert {i["zone"] for i in items} == zones, caller
        other = clients[caller].get("/v1/screenings", params={"zone": "longchang-neirong" if "east" in caller else "demo-east"})  # type: ignore[index]
        assert other.json()["items"] == [] or caller == "auditor-all"


def test_admin_manages_keys_over_http(world: dict[str, object]) -> None:
    admin = world["clients"]["admin"]  # type: ignore[index]
    made = admin.post("/v1/keys", json={"role": "screener", "zones": ["demo-east"]})
    assert made.status_code == 201 and made.json()["key"].startswith("zc_")
    server: Server = world["server"]  # type: ignore[assignment]
    with server.client(made.json()["key"]) as fresh:
        assert fresh.get("/v1/screenings").status_code == 200
        assert admin.delete(f"/v1/keys/{made.json()['id']}").status_code == 204
        assert fresh.get("/v1/screenings").status_code == 401
    listed = {k["id"]: k for k in admin.get("/v1/keys").json()}
    assert listed[made.json()["id"]]["revoked_at"] and "key" not in listed[made.json()["id"]]
    assert admin.post("/v1/keys", json={"role": "auditor"}).status_code == 422
