from flask import Blueprint, render_template

from models.base import db
from portal.auth import ANY_STAFF, roles_allowed
from reports.queries import dashboard_counts

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@roles_allowed(*ANY_STAFF)
def index():
    return render_template("dashboard.html", counts=dashboard_counts(db.session))
