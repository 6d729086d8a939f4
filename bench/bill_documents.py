"""Invoice documents per second (target: over 100 PDFs/s per core).

Usage: python bench/bill_documents.py [--renders 1000] [--out sample.pdf]
       python bench/bill_documents.py --database-url URL [--bills 2000]

Without a database: renders one realistic invoice (an I-3/TM customer with LWBP/WBP and kVArh readings,
a split line, twelve months of history) N times through `render_invoice`, on one core.
With --database-url (sqlite:///... or postgresql://...): a fresh schema with N issued bills (N/12 R-1
households, twelve metered months each), then what one `billing.render_documents` worker does, batch by
batch (workflows.billing_documents.render_batch: gather, render, hash, store, one commit per batch of
200), timed from the first query to the last commit.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from models.billing.documents import InvoiceData, LineRow, ReadingRow, Utility, render_invoice  # noqa: E402

D = Decimal


def sample_invoice() -> InvoiceData:
    readings = (
        ReadingRow("1.8.1", "ITR000123456", D("48211"), "actual", D("49391"), "actual", D("40"), D("47200")),
        ReadingRow("1.8.2", "ITR000123456", D("10220"), "actual", D("10505"), "actual", D("40"), D("11400")),
        ReadingRow("3.8.0", "ITR000123456", D("30110"), "actual", D("31020"), "estimated", D("40"), D("36400")),
        ReadingRow("1.6.0", "ITR000123456", D("0"), "actual", D("4.8"), "actual", D("40"), D("192")),
    )
    lines = (
        LineRow("Fixed charge", "197 kVA x Rp 35,000.00 x 15/31 days = Rp 3,336,290 (1 Oct - 15 Oct 2024, split by "
                "days)", D("3336290")),
        LineRow("Fixed charge", "240 kVA x Rp 35,000.00 x 16/31 days = Rp 4,335,484 (16 Oct - 31 Oct 2024, split by "
                "days)", D("4335484")),
        LineRow("Energy LWBP", "47,200 kWh x Rp 1,114.74 = Rp 52,615,728", D("52615728")),
        LineRow("Energy WBP", "11,400 kWh x Rp 1,560.64 = Rp 17,791,296 (K = 1.4)", D("17791296")),
        LineRow("Reactive excess", "36,400 kVArh - 0.62 x 58,600 kWh = 68 kVArh x Rp 1,114.74 = Rp 75,802 "
                "(estimated reading)", D("75802")),
        LineRow("Meter test fee", "misc charge: meter test after the customer's complaint", D("150000")),
        LineRow("PPJ", "3% of Rp 78,154,600 = Rp 2,344,638", D("2344638")),
        LineRow("Stamp duty", "bills over Rp 5,000,000", D("10000")),
    )
    history = tuple((date(2023 + (10 + n) // 12, (10 + n) % 12 + 1, 1), D(52000 + 731 * (n % 5) - 90 * n))
                    for n in range(12))
    return InvoiceData(
        number="INV-2026-0012345", credit_note=False, issued_on=date(2026, 11, 2), due_on=date(2026, 11, 20),
        period=date(2024, 10, 1), period_start=date(2024, 10, 1), period_end=date(2024, 11, 1),
        customer_name="PT Tekstil Priangan Makmur", billing_address="Jl. Soekarno-Hatta No. 412, Bandung 40286",
        account_no="A000412377", customer_no="532110412377", spn="BDG00412377",
        service_address="Kawasan Industri Cimareme Blok C-7, Bandung", tariff_code="I-3/TM", power_va=240000,
        kwh=D("58600"), jam_nyala=D("244.2"), readings=readings, lines=lines, subtotal=D("78304600"),
        taxes=D("2344638"), stamp_duty=D("10000"), total=D("80659238"), payment_reference="202600123458",
        history=history, utility=Utility())


def bench_render(renders: int, out: str | None) -> None:
    data = sample_invoice()
    content = render_invoice(data)
    if out:
        Path(out).write_bytes(content)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(renders):
        render_invoice(data)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"render_invoice: {renders} PDFs in {elapsed:.2f} s = {renders / elapsed:,.0f} PDFs/s "
          f"({renders / cpu:,.0f} per CPU-second, {cpu / renders * 1000:.2f} ms CPU each; {len(content):,} bytes; "
          f"target 100/s per core)")


def issued_bills(session, contracts: int, months: int = 12) -> list[int]:
    """`contracts` R-1 households, each with `months` bills (metered, with their readings) issued."""
    import sqlalchemy as sa

    from models.billing.inputs import BillInputs, ContractSegment, QuantitySource, ReadingPair, snapshot_version
    from models.billing.operations import issue_bill, record_bill
    from models.billing.pricing import price_bill
    from models.contracts.operations import open_contract
    from models.customers.entities import Account, Customer
    from models.meters.entities import UsageType
    from models.premises.entities import Property, ServicePoint
    from models.tariffs.catalogue import load_pln_catalogue
    from models.tariffs.entities import TariffVersion

    tariff = load_pln_catalogue(session)["R-1/TR 1300"]
    versions = session.scalars(sa.select(TariffVersion).where(TariffVersion.tariff_id == tariff.id)).all()
    last = 2025 * 12 + 9                     # months up to October 2025, counted from year 0
    periods = [date(m // 12, m % 12 + 1, 1) for m in range(last - months + 1, last + 1)]
    ids = []
    for n in range(contracts):
        customer = Customer(name=f"Siti Rahayu {n}")
        account = Account(customer=customer, account_no=f"A{n:09d}", payer_name=customer.name,
                          billing_address=f"Jl. Melati {n}, Bandung 40115")
        point = ServicePoint(spn=f"BDG{n:08d}", created_on=date(2020, 1, 1),
                             property=Property(address=f"Jl. Mawar {n}", city="Bandung"))
        session.add_all([account, point])
        session.flush()
        contract = open_contract(session, point, account, f"53{n:010d}", tariff, 1300, date(2020, 1, 1))
        reading = D(10000 + n)
        for start in periods:
            end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            kwh = D(150 + (n * 7 + start.month * 13) % 90)
            pair = ReadingPair("1.8.0", reading, "actual", start, reading + kwh, "actual", end, D(1),
                               meter_number=f"ITR{n:09d}")
            reading += kwh
            valid = [snapshot_version(v) for v in versions
                     if v.effective_from < end and (v.effective_to is None or v.effective_to > start)]
            priced = price_bill(BillInputs(start, end, (ContractSegment(start, end, tariff.code, 1300),),
                                           tuple(valid), (QuantitySource(UsageType.ACTIVE, kwh, pair),)))
            ids.append(issue_bill(session, record_bill(session, contract, priced, period=start)).id)
    return ids


def bench_stored(database_url: str, bills: int) -> None:
    from instance import prepare  # bench/instance.py
    prepare("bill-documents", database_url)
    from models.audit.recorder import Actor
    from models.base import db
    from models.transactions import transaction
    from portal import create_app
    from workflows.billing_documents import BATCH_SIZE, document_batches, render_batch

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        with transaction(Actor(None, "bench")):
            issued_bills(db.session, max(1, bills // 12))
        print(f"set-up: {max(1, bills // 12) * 12} issued bills in {time.perf_counter() - started:.1f} s")
        db.session.remove()
        started, cpu = time.perf_counter(), time.process_time()
        batches = document_batches(db.session)
        for batch in batches:
            render_batch(batch)
            db.session.expunge_all()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        done = sum(len(b) for b in batches)
        print(f"stored ({db.engine.dialect.name}): {done} documents in {elapsed:.2f} s = {done / elapsed:,.0f} "
              f"PDFs/s ({done / cpu:,.0f} per CPU-second of this process) in batches of {BATCH_SIZE}: gathered, "
              "rendered, hashed, stored, committed")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=1000)
    parser.add_argument("--out", help="also write the sample invoice here")
    parser.add_argument("--database-url")
    parser.add_argument("--bills", type=int, default=2000)
    args = parser.parse_args()
    bench_render(args.renders, args.out)
    if args.database_url:
        bench_stored(args.database_url, args.bills)


if __name__ == "__main__":
    main()
