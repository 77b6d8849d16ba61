"""A schema-driven fuzz run (schemathesis) against the served OpenAPI document: whatever the
generated input, the API answers without a server error."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app.platform.auth import create_token
from tests.figures import count

EXAMPLES_PER_OPERATION = 15


def test_no_generated_input_makes_the_api_fail(app: Flask) -> None:
    with app.app_context():
        token = create_token("supervisor", "fuzz")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # .ok() raises for an operation the schema describes wrongly: that fails the test too
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 20
    headers = {"Authorization": f"Bearer {token}"}
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            nonlocal calls
            response = case.call(headers=headers)
            calls += 1
            case.validate_response(response, checks=[not_a_server_error])

        run()
    assert calls >= len(operations) * 5
    count("bad_inputs_tried", calls)
