"""/accounting: the trial balance as of a date and the receivables reconciliation (read-only pages; the
posting sweep, the exports and the chart's maintenance are the beat job, `cms accounting` and the admin)."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from models.accounting.queries import reconcile_receivables, trial_balance
from models.base import db
from models.clock import today
from models.users.roles import BOOKS_READERS
from portal.auth import roles_allowed
from portal.params import form_date

bp = Blueprint("accounting", __name__, url_prefix="/accounting")


@bp.get("/trial-balance")
@roles_allowed(*BOOKS_READERS)
def trial_balance_page():
    as_of = form_date(request.args.get("date"), "date", today())    # a bad date is a 400 with the reason
    return render_template("accounting/trial_balance.html", report=trial_balance(db.session, as_of))


@bp.get("/reconciliation")
@roles_allowed(*BOOKS_READERS)
def reconciliation_page():
    return render_template("accounting/reconciliation.html", report=reconcile_receivables(db.session))
