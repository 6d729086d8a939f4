"""The inquiry's actions beyond contacts, notes and requests (portal.views.inquiry): registering a new applicant
for a new connection, and adding a misc charge from the service point view. Their routes join the inquiry
blueprint (`register`), so their endpoints are inquiry.* like the view's own."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from models.base import db
from models.customers.entities import CustomerKind, IdentityDocumentType
from models.errors import DomainError
from models.inquiry.applicants import (
    Application,
    ApplicationRefused,
    DuplicateApplicant,
    tariffs_open_today,
)
from models.inquiry.charges import add_charge_at
from models.inquiry.search import search
from models.premises.queries import get_service_point
from models.requests.entities import Channel
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from workflows.customer_requests import register_new_connection


def _prefill() -> dict:
    """From a search that found nothing: the term becomes the name, or the ID number when it is one."""
    term = " ".join(request.args.get("q", "").split())[:200]
    if not term:
        return {}
    return {"doc_number": term} if term.replace("-", "").isdigit() else {"name": term}


@roles_allowed(*ANY_STAFF)
def new_applicant():
    """Someone who is not yet a customer asks for a connection: customer, ID, address, tariff and power in one
    form; the request's process starts at once. A known ID number offers its customer instead."""
    form, errors, duplicate = (request.form if request.method == "POST" else _prefill()), {}, None
    if request.method == "POST":
        application = Application(
            name=form.get("name", ""), kind=form.get("kind", ""), doc_type=form.get("doc_type", ""),
            doc_number=form.get("doc_number", ""), phone=form.get("phone", ""), email=form.get("email", ""),
            address=form.get("address", ""), city=form.get("city", ""), postal_code=form.get("postal_code", ""),
            tariff=form.get("tariff", ""), power_va=form.get("power_va", ""), channel=form.get("channel", ""),
            received_on=form.get("received_on", ""), description=form.get("description", ""),
            customer_id=form.get("customer_id", ""))
        try:
            with request_transaction():
                created = register_new_connection(db.session, application)
        except DuplicateApplicant as exc:
            errors[exc.field] = exc.message
            duplicate = {"customer_id": exc.customer_id, "name": exc.customer_name,
                         "points": search(db.session, exc.number, "identity").matches}
        except ApplicationRefused as exc:
            errors = exc.errors
        except DomainError as exc:
            errors[exc.field or "name"] = exc.message
        else:
            flash(f"{created.customer.name} registered{' (existing customer)' if created.existing_customer else ''}: "
                  f"service point {created.service_point.spn} is planned and request {created.request.number} for "
                  "the new connection has started.", "success")
            return redirect(url_for("inquiry.show", spn=created.service_point.spn))
    return render_template("inquiry/new_applicant.html", form=form, errors=errors, duplicate=duplicate,
                           tariffs=tariffs_open_today(db.session), doc_types=IdentityDocumentType,
                           kinds=CustomerKind, channels=Channel), 422 if errors else 200


@roles_allowed(*ANY_STAFF)
def new_misc_charge(spn: str):
    """A misc charge on the point's active contract: type, amount (empty: the type's default), reason."""
    get_service_point(db.session, spn)      # an unknown SPN is a 404, not a flash on a page that does not exist
    form = request.form
    commit_or_flash(lambda: add_charge_at(db.session, spn, form.get("charge_type"), form.get("amount"),
                                          form.get("reason")),
                    lambda c: f"{c.charge_type.name} of Rp {c.amount:,.2f} added: the next bill carries it.")
    return redirect(url_for("inquiry.show", spn=spn) + "#section-general")


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/new-applicant", view_func=new_applicant, methods=["GET", "POST"])
    bp.add_url_rule("/<spn>/misc-charges", view_func=new_misc_charge, methods=["POST"])
