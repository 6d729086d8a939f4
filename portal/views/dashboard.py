from flask import Blueprint, redirect, render_template, url_for

from models.base import db
from models.users.entities import RoleName
from portal.auth import ANY_STAFF, has_any_role, refuse
from reports.queries import dashboard_counts

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    if not has_any_role(*ANY_STAFF):
        # The roles that work in one place land there after signing in.
        if has_any_role(RoleName.CASHIER):
            return redirect(url_for("collection.cashier"))
        if has_any_role(RoleName.ACCOUNTANT):
            return redirect(url_for("accounting.trial_balance_page"))
        return refuse()
    return render_template("dashboard.html", counts=dashboard_counts(db.session))
