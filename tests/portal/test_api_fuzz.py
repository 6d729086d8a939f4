"""Schemathesis against /api/v1: generated requests, a valid token, answers checked against the OpenAPI document."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from models.base import db as _db
from models.users.tokens import create_api_token

pytestmark = pytest.mark.walk   # date-independent: make test runs it on today's passes only

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Small and deterministic: the whole run stays within seconds, and a failure reproduces.
FUZZ = settings(max_examples=25, deadline=2000, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def test_every_generated_request_is_answered_as_documented(app, make):
    contract = make.contract()
    token = create_api_token(_db.session, make.user()[0], "fuzz", 1, 90)[1]
    headers = {"Authentication-Token": token}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    statuses = set()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @FUZZ
            @given(case=operation.as_strategy(mode))
            def call(case):
                response = case.call(headers=headers)
                statuses.add(response.status_code)
                case.validate_response(response, checks=CHECKS, headers=headers)
            call()
    known = schema["/api/v1/service-points/{spn}"]["GET"].Case(path_parameters={"spn": contract.service_point.spn})
    response = known.call(headers=headers)
    known.validate_response(response, checks=CHECKS, headers=headers)
    assert response.status_code == 200 and 404 in statuses and not any(s >= 500 for s in statuses)
