"""Relevance as people judge it: a held-out set of listings and the queries people type.

`data/holdout/` holds services and judged queries written apart from the synonym data
and the search code (on other topics than ../shared/eval), so that this checks that
search generalises rather than that it was tuned. Scored like ../shared/eval/score.py,
through the HSDS API, on SQLite and on PostgreSQL.
"""

import json
from pathlib import Path

import pytest

from santuni.api.tests.test_import import run_import

HOLDOUT = Path(__file__).resolve().parent / "data" / "holdout"

pytestmark = pytest.mark.django_db


def ranks(client, query: dict) -> list[str]:
    params = {"search": query["q"], "per_page": 10}
    if query["district"]:
        params["district"] = query["district"]
    response = client.get("/api/hsds/services", params)
    assert response.status_code == 200
    return [item["id"] for item in response.json()["contents"]]


def test_held_out_queries_find_what_people_mean(client):
    run_import(HOLDOUT / "services.ndjson")
    queries = json.loads((HOLDOUT / "queries.json").read_text())
    success = reciprocal = 0.0
    misses = []
    for query in queries:
        got = ranks(client, query)
        hits = [i for i, service in enumerate(got) if service in set(query["relevant"])]
        success += bool(hits) and hits[0] < 5
        reciprocal += 1 / (hits[0] + 1) if hits else 0
        if not hits or hits[0] >= 5:
            misses.append(query["q"])
    assert success / len(queries) >= 0.95, misses
    assert reciprocal / len(queries) >= 0.85, misses
