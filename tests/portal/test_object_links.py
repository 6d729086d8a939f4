"""Every kind of business object (models.objects) has one page the portal links to, or says it has none."""
import models.schema  # noqa: F401  every entity module imported, so every kind is registered
from models.objects import OBJECT_TYPES
from portal.objects import NO_PAGE, PAGES, object_link
from workflows.objects import describe


def test_every_kind_of_business_object_has_a_page_or_is_shown_on_its_parent():
    assert set(OBJECT_TYPES) == set(PAGES) | NO_PAGE and not set(PAGES) & NO_PAGE


def test_a_link_to_a_service_point_opens_its_page(app, make):
    sp = make.service_point()
    with app.test_request_context():
        assert str(object_link("service_point", sp.id, sp.spn)) == f'<a href="/service-points/{sp.spn}">{sp.spn}</a>'


def test_a_task_describes_its_object_from_the_registry(db, make):
    sp = make.service_point()
    assert describe(db.session, "service_point", sp.id)["spn"] == sp.spn
    assert describe(db.session, "nonsense", 4) == {"object_label": "nonsense #4"}
