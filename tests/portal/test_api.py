from models.base import db as _db
from models.users.tokens import create_api_token, revoke_user_api_tokens


def issue_api_token(user) -> str:
    return create_api_token(_db.session, user, "test client", 30, 90)[1]


def test_service_point_needs_a_token(client, make):
    make.service_point(spn="BDG00000042")
    response = client.get("/api/v1/service-points/BDG00000042")
    assert response.status_code == 401 and "Authentication-Token" in response.json["message"]


def test_service_point_with_its_active_contract(client, make):
    contract = make.contract(power_va=1300)
    user, _ = make.user(role="clerk")
    response = client.get(f"/api/v1/service-points/{contract.service_point.spn}",
                          headers={"Authentication-Token": issue_api_token(user)})
    assert response.status_code == 200
    assert response.json["contract"]["customer_no"] == contract.customer_no
    assert response.json["contract"]["contracted_power_va"] == 1300
    assert response.json["city"] == "Bandung"


def test_unknown_service_point_is_404_with_reason(client, make):
    user, _ = make.user()
    response = client.get("/api/v1/service-points/NOPE", headers={"Authentication-Token": issue_api_token(user)})
    assert response.status_code == 404 and "no service point with number NOPE" in response.json["message"]


def test_revoked_token_stops_working(db, client, make):
    user, _ = make.user()
    token = issue_api_token(user)
    revoke_user_api_tokens(db.session, user)
    assert client.get("/api/v1/service-points/X", headers={"Authentication-Token": token}).status_code == 401


def test_openapi_document_is_generated(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/service-points/{spn}"]["get"]
    assert operation["security"] == [{"apiToken": []}]
    assert spec["components"]["securitySchemes"]["apiToken"]["name"] == "Authentication-Token"
    assert "ServicePoint" in spec["components"]["schemas"]
