"""Odd numbers in URLs, forms and the API (issue 31, item 7): "²" passes `str.isdigit()` but not
`int()`, and 25 digits overflow the database's integer. Each answer is "not found" or a clear
refusal, never a server error."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app.platform.row_ids import MAX_ROW_ID, ascii_number, row_id
from tests.conftest import login
from tests.integration.test_api import tokens  # noqa: F401 - fixture

ODD = ["²", "٣", "1" * 25, "9" * 5000, "-1", "0", " 1", "1.0", str(MAX_ROW_ID + 1)]


def test_only_plain_numbers_in_range_are_row_ids() -> None:
    assert [row_id(text) for text in ODD] == [None] * len(ODD)
    assert (row_id("1"), row_id(str(MAX_ROW_ID))) == (1, MAX_ROW_ID)
    assert (ascii_number("0", 10), ascii_number("10", 10), ascii_number("11", 10)) == (0, 10, None)


@pytest.mark.parametrize("value", ODD)
def test_the_screens_answer_odd_ids_without_a_server_error(client: FlaskClient, value: str) -> None:
    token = login(client, "officer")
    listed = client.get("/cases/", query_string={"filter": value})
    assert listed.status_code == 200  # an unknown saved filter: the plain search
    bulk = client.post("/tasks/bulk", data={"csrf_token": token, "task_id": value})
    assert bulk.status_code == 422 and "请先勾选任务" in bulk.get_data(as_text=True)
    path = client.get(f"/cases/{value}")
    assert path.status_code == 404


@pytest.mark.parametrize("value", ["²", "1" * 25])
def test_the_api_refuses_odd_numbers_with_a_reason(
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],  # noqa: F811
    value: str,
) -> None:
    cases = client.get("/api/v1/cases", query_string={"after": value}, headers=tokens["officer"])
    assert cases.status_code == 422 and "after" in cases.get_json()["details"]
    deadline = client.get(
        "/api/v1/calendar/deadline",
        query_string={"start": "2026-12-08", "amount": value, "unit": "working_days"},
        headers=tokens["officer"],
    )
    assert deadline.status_code == 422 and "amount" in str(deadline.get_json())


@pytest.mark.parametrize("value", ["²", "1" * 25, "-1"])
def test_odd_ids_found_by_the_route_fuzzer_are_not_a_server_error(
    client: FlaskClient, value: str
) -> None:
    """tests/integration/test_route_fuzz.py found these: a 25-digit ?item= of the guidance and
    inspection-item pages and a 25-digit ?before= of a paged list overflowed the integer."""
    login(client, "credit")
    for path in ("/prevention/guidance", "/prevention/items"):
        assert client.get(path, query_string={"item": value}).status_code == 200, path
    for path in ("/service/needs", "/cases/", "/library"):
        paged = client.get(path, query_string={"before": value})
        assert paged.status_code == 422, path
        assert "翻页参数应为数字" in paged.get_data(as_text=True), path
