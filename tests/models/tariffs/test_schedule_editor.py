"""The admin's schedule editor: 12 x 24 grids per version, saved only when every used period has a rate."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from models.tariffs.catalogue import load_pln_catalogue
from models.tariffs.rate_structures import TariffRateStructure
from tests.conftest import csrf_token

WBP = [[1 if 17 <= h < 22 else 0 for h in range(24)] for _ in range(12)]
RATES = {"energy_rates": [[{"max": None, "rate": "1035.78"}], [{"max": None, "rate": "1553.67"}]],
         "fixed_monthly": "0"}


def _version(db):
    tariffs = load_pln_catalogue(db.session)
    return next(v for v in tariffs["I-3/TM"].versions if v.effective_to is None or v.effective_to > date(2024, 1, 1))


def _post(client, url, **fields):
    data = {"csrf_token": csrf_token(client, url), "energy_weekday": json.dumps(WBP),
            "energy_weekend": json.dumps(WBP), "demand_weekday": "", "demand_weekend": "", "rates": json.dumps(RATES)}
    data.update(fields)
    return client.post(url, data=data, follow_redirects=True)


def test_admin_paints_and_saves_a_pln_schedule(db, client, login):
    login("admin")
    version = _version(db)
    url = f"/admin/admin_tariff_versions/schedules/{version.id}"
    page = client.get(url)
    assert page.status_code == 200 and 'data-grid="energy_weekday"' in page.text
    assert page.text.count('data-m="') == 4 * 288 and "tariff_schedule.js" in page.text
    saved = _post(client, url)
    assert saved.status_code == 200 and "Saved the schedules and rates" in saved.text
    db.session.expire_all()
    stored = version.rate_structure.rates()
    assert stored.energy_weekday[0][17] == 1 and stored.energy_weekday[0][16] == 0 and stored.demand_weekday is None
    assert 'class="p1" data-m="0" data-h="17">1</td>' in client.get(url).text.replace("\n        ", "")


@pytest.mark.parametrize(("fields", "message"), [
    ({"energy_weekday": json.dumps([[2] * 24] * 12)}, "names period 2, which has no rate"),
    ({"rates": '{"energy_rates": 5}'}, "not in the expected shape"),
    ({"rates": "{oops"}, "not valid JSON"),
    ({"demand_weekday": json.dumps(WBP)}, "TOU demand needs both a weekday and a weekend schedule"),
])
def test_a_structure_that_cannot_price_is_refused_and_nothing_saved(db, client, login, fields, message):
    login("admin")
    version = _version(db)
    version_id = version.id
    page = _post(client, f"/admin/admin_tariff_versions/schedules/{version_id}", **fields)
    assert page.status_code == 200 and message in page.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(TariffRateStructure.id))) == 0


def test_clerks_may_look_but_not_save(db, client, login):
    login("clerk")
    url = f"/admin/admin_tariff_versions/schedules/{_version(db).id}"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"csrf_token": csrf_token(client, url)}).status_code == 403
    assert client.get("/admin/admin_tariff_versions/schedules/999999").status_code == 404
