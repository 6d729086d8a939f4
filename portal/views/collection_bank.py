"""/collection/bank: statement uploads with their import report, the suspense queue, direct-debit batches."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from models.base import db
from models.collection.bank_entities import DirectDebitBatch, StatementImport, SuspenseItem
from models.collection.direct_debit import apply_debit_returns
from models.collection.statements import StatementRefused, import_statement
from models.collection.suspense import match_suspense, refund_suspense, suspense_queue
from models.users.roles import BOOKS_READERS
from portal.auth import ANY_STAFF, roles_allowed
from portal.edges import commit_or_flash, request_transaction
from portal.objects import paginate

bp = Blueprint("collection_bank", __name__, url_prefix="/collection/bank")


@bp.get("/")
@roles_allowed(*BOOKS_READERS)
def index():
    page = paginate(suspense_queue())
    imports = db.session.scalars(db.select(StatementImport).order_by(StatementImport.id.desc()).limit(20)).all()
    batches = db.session.scalars(db.select(DirectDebitBatch).order_by(DirectDebitBatch.due_on.desc()).limit(20)).all()
    return render_template("collection/bank/index.html", page=page, imports=imports, batches=batches)


@bp.post("/statements")
@roles_allowed(*ANY_STAFF)
def upload():
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    name = upload_file.filename if upload_file else ""
    try:
        with request_transaction():
            result = import_statement(db.session, name, data, current_app.config.get("CMS_CURRENCY", "IDR"))
    except StatementRefused as exc:
        return render_template("collection/bank/refused.html", filename=name, refusal=exc), 422
    if result.statement is None:
        return redirect(url_for(".statement", import_id=result.duplicate_of.id, duplicate=1))
    return redirect(url_for(".statement", import_id=result.statement.id))


@bp.get("/statements/<int:import_id>")
@roles_allowed(*BOOKS_READERS)
def statement(import_id: int):
    record = db.session.get(StatementImport, import_id) or abort(404)
    items = db.session.scalars(db.select(SuspenseItem).where(SuspenseItem.import_id == import_id)
                               .order_by(SuspenseItem.line_no).limit(500)).all()
    return render_template("collection/bank/statement.html", record=record, items=items,
                           duplicate=request.args.get("duplicate") == "1")


def _item(item_id: int) -> SuspenseItem:
    return db.session.get(SuspenseItem, item_id) or abort(404)


@bp.post("/suspense/<int:item_id>/match")
@roles_allowed(*ANY_STAFF)
def match(item_id: int):
    item, form = _item(item_id), request.form
    commit_or_flash(lambda: match_suspense(db.session, item, bill_number=form.get("bill_number", "").strip(),
                                           customer_no=form.get("customer_no", "").strip(),
                                           payment_reference=form.get("payment_reference", "").strip(),
                                           note=form.get("note", "")[:500]),
                    lambda p: f"Posted {p.amount:,.2f} as payment {p.reference}.")
    return redirect(url_for(".index"))


@bp.post("/suspense/<int:item_id>/refund")
@roles_allowed(*ANY_STAFF)
def refund(item_id: int):
    item = _item(item_id)
    commit_or_flash(lambda: refund_suspense(db.session, item, request.form.get("reason", "")),
                    f"Marked {item.bank_reference} as refunded.")
    return redirect(url_for(".index"))


@bp.get("/direct-debit/<int:batch_id>/pain.008.xml")
@roles_allowed(*BOOKS_READERS)
def pain008(batch_id: int):
    batch = db.session.get(DirectDebitBatch, batch_id) or abort(404)
    return Response(batch.xml or "", mimetype="application/xml", headers={
        "Content-Disposition": f"attachment; filename=pain008-{batch.due_on.isoformat()}.xml"})


@bp.post("/direct-debit/returns")
@roles_allowed(*ANY_STAFF)
def returns():
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""

    def action():
        if not data:
            raise StatementRefused(["choose a pain.002 or camt.054 file"])
        return apply_debit_returns(db.session, data)
    commit_or_flash(action, lambda c: f"{c['returned']} returned, {c['unchanged']} already returned.")
    return redirect(url_for(".index"))

