"""PLN's published tariff catalogue (Permen ESDM 7/2024, Q4-2024 rates) as tariff data.

The demo and a fresh installation load it; admins then maintain new versions in the admin.
Source: ../shared/reference/pln-tariffs-2024.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.premises.entities import SupplyVoltage as V
from models.tariffs.entities import (
    ComponentKind as K,
)
from models.tariffs.entities import (
    PaymentMode,
    RoundingRule,
    Tariff,
    TariffComponent,
    TariffVersion,
    TaxBase,
    TouPeriod,
)

Q4_2024 = date(2024, 10, 1)
BLOCK_ERA = date(2016, 1, 1)          # the older subsidised block tariffs ran until Q4-2024
LEGAL_BASIS = "Permen ESDM 7/2024, Lampiran I; adjustment Q4-2024"
PPJ_PERCENT = D("3")                  # street-lighting tax: a regional parameter, 3% to 10%
STAMP_DUTY = (D("5000000"), D("10000"))
WBP_FACTOR = D("1.4")                 # K: WBP = K x LWBP, per local system (1.4 to 2)
REACTIVE_RATIO = D("0.62")            # tan(acos 0.85) rounded by regulation


@dataclass(frozen=True)
class Entry:
    code: str
    tariff_class: str
    name: str
    voltage: V
    min_va: int | None
    max_va: int | None
    rate: D                           # energy rate (LWBP for time-of-use classes), Rp/kWh
    tou: bool = False
    prepaid: bool = False
    blocks: tuple | None = None       # older block version: (fixed per kVA, [(from, to, rate), ...])


CATALOGUE = [
    Entry("R-1/TR 450", "R-1", "Household 450 VA (subsidised)", V.LOW, 450, 450, D("415"),
          blocks=(D("11000"), [(0, 30, D("169")), (30, 60, D("360")), (60, None, D("495"))])),
    Entry("R-1/TR 900", "R-1", "Household 900 VA (subsidised)", V.LOW, 900, 900, D("605"),
          blocks=(D("20000"), [(0, 20, D("275")), (20, 60, D("445")), (60, None, D("495"))])),
    Entry("R-1/TR 900-RTM", "R-1", "Household 900 VA, well-off (RTM)", V.LOW, 900, 900, D("1352.00")),
    Entry("R-1/TR 1300", "R-1", "Household 1,300 VA", V.LOW, 1300, 1300, D("1444.70")),
    Entry("R-1/TR 1300 PRA", "R-1", "Household 1,300 VA, prepaid", V.LOW, 1300, 1300, D("1444.70"), prepaid=True),
    Entry("R-1/TR 2200", "R-1", "Household 2,200 VA", V.LOW, 2200, 2200, D("1444.70")),
    Entry("R-2/TR", "R-2", "Household 3,500-5,500 VA", V.LOW, 3500, 5500, D("1699.53")),
    Entry("R-3/TR", "R-3", "Household 6,600 VA and up", V.LOW, 6600, None, D("1699.53")),
    Entry("B-2/TR", "B-2", "Business 6,600 VA-200 kVA", V.LOW, 6600, 200000, D("1444.70")),
    Entry("B-3/TM", "B-3", "Business over 200 kVA", V.MEDIUM, 200001, None, D("1114.74"), tou=True),
    Entry("I-3/TM", "I-3", "Industry over 200 kVA to under 30,000 kVA", V.MEDIUM, 200001, 29999999,
          D("1114.74"), tou=True),
    Entry("I-4/TT", "I-4", "Industry 30,000 kVA and up", V.HIGH, 30000000, None, D("996.74"), tou=True),
    Entry("P-1/TR", "P-1", "Government office 6,600 VA-200 kVA", V.LOW, 6600, 200000, D("1699.53")),
    Entry("P-2/TM", "P-2", "Government office over 200 kVA", V.MEDIUM, 200001, None, D("1522.88"), tou=True),
    Entry("P-3/TR", "P-3", "Public street lighting", V.LOW, None, None, D("1699.53")),
    Entry("L/TR", "L", "Temporary service, low voltage", V.LOW, None, None, D("1644.52")),
    Entry("L/TM", "L", "Temporary service, medium voltage", V.MEDIUM, None, None, D("1644.52")),
    Entry("L/TT", "L", "Temporary service, high voltage", V.HIGH, None, None, D("1644.52")),
]


def _taxes(seq: int) -> list[TariffComponent]:
    threshold, amount = STAMP_DUTY
    return [
        TariffComponent(sequence=seq, kind=K.TAX, label="PPJ (street-lighting tax)", percentage=PPJ_PERCENT,
                        tax_base=TaxBase.ELECTRICITY),
        TariffComponent(sequence=seq + 10, kind=K.STAMP_DUTY, label="Bea meterai", threshold=threshold,
                        amount=amount),
    ]


def current_components(e: Entry) -> list[TariffComponent]:
    """Q4-2024 terms. Low voltage: flat rate, RM1; medium/high: WBP/LWBP, reactive excess, RM2."""
    if e.tou:
        parts = [
            TariffComponent(sequence=10, kind=K.ENERGY, label="Energy LWBP", tou_period=TouPeriod.LWBP, rate=e.rate),
            TariffComponent(sequence=20, kind=K.ENERGY, label="Energy WBP (K x LWBP)", tou_period=TouPeriod.WBP,
                            factor=WBP_FACTOR),
            TariffComponent(sequence=30, kind=K.REACTIVE_EXCESS, label="Reactive energy excess", rate=e.rate,
                            threshold_ratio=REACTIVE_RATIO),
            TariffComponent(sequence=40, kind=K.MINIMUM_BILL, label="Minimum bill RM2 (40 h x kVA x LWBP)",
                            hours=D("40"), rate=e.rate),
        ]
    elif e.prepaid:
        parts = [TariffComponent(sequence=10, kind=K.ENERGY, label="Energy (token)", rate=e.rate)]
    else:
        parts = [
            TariffComponent(sequence=10, kind=K.ENERGY, label="Energy", rate=e.rate),
            TariffComponent(sequence=40, kind=K.MINIMUM_BILL, label="Minimum bill RM1 (40 h x kVA x rate)",
                            hours=D("40"), rate=e.rate),
        ]
    return parts + _taxes(100)


def block_components(e: Entry) -> list[TariffComponent]:
    fixed, blocks = e.blocks
    parts = [TariffComponent(sequence=5, kind=K.FIXED_PER_KVA, label="Fixed charge per kVA", rate=fixed)]
    for i, (lo, hi, rate) in enumerate(blocks):
        label = f"Energy block {lo}-{hi} kWh" if hi is not None else f"Energy block over {lo} kWh"
        parts.append(TariffComponent(sequence=10 + i, kind=K.ENERGY, label=label, rate=rate, block_from=D(lo),
                                     block_to=None if hi is None else D(hi)))
    return parts + _taxes(100)


def load_pln_catalogue(session: Session) -> dict[str, Tariff]:
    """Create the catalogue's tariffs and versions that are missing (idempotent); returns them by code."""
    existing = {t.code: t for t in session.scalars(sa.select(Tariff))}
    for e in CATALOGUE:
        if e.code in existing:
            continue
        tariff = Tariff(code=e.code, tariff_class=e.tariff_class, name=e.name, voltage=e.voltage,
                        min_power_va=e.min_va, max_power_va=e.max_va, time_of_use=e.tou,
                        payment_mode=PaymentMode.PREPAID if e.prepaid else PaymentMode.POSTPAID)
        if e.blocks:
            tariff.versions.append(TariffVersion(
                effective_from=BLOCK_ERA, effective_to=Q4_2024, legal_basis="Permen ESDM 28/2016 (blocks)",
                rounding_rule=RoundingRule.HALF_UP, rounding_unit=D("1"), components=block_components(e)))
        tariff.versions.append(TariffVersion(
            effective_from=Q4_2024, legal_basis=LEGAL_BASIS,
            # Prepaid: kWh credited = (purchase - taxes) / rate, truncated to 2 decimals.
            rounding_rule=RoundingRule.DOWN if e.prepaid else RoundingRule.HALF_UP,
            rounding_unit=D("0.01") if e.prepaid else D("1"), components=current_components(e)))
        session.add(tariff)
        existing[e.code] = tariff
    session.flush()
    return existing
