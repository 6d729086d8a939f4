"""Pricing a year of interval load on a tariff: median and p95 of price_year, hourly and 15-minute.

Usage: python bench/tariff_price_load.py [--runs 30]
Targets (issue 14): one year of hourly data under 20 ms, of 15-minute data under 50 ms. The load is
already parsed into Decimals (reading the file is not pricing); each SAM test tariff on its own load.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SAM = (ROOT / "../shared/data/interval_loads/nrel_sam").resolve()
CASES = [("Test_Residential_TOU_Rates", "load_residential"),
         ("Test_Residential_TOU_Rates_w_tiers", "load_residential"),
         ("Test_Commercial_Demand_Charges", "load_commercial_large")]


def main() -> None:
    from models.tariffs.interval_pricing import price_year
    from models.tariffs.sam import parse_tariff
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    for tariff, load in CASES:
        structure = parse_tariff(json.loads((SAM / f"{tariff}.tariff.json").read_text()))
        hourly = [Decimal(v) for v in (SAM / f"{load}_hourly_kW.csv").read_text().split()]
        quarter = [v for v in hourly for _ in range(4)]
        for label, kw in (("hourly", hourly), ("15-minute", quarter)):
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                total = price_year(structure, kw)["total"]
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            print(f"{tariff:<36} {label:<10} {len(kw):>6} values  median {statistics.median(times):6.1f} ms  "
                  f"p95 {times[int(len(times) * 0.95) - 1]:6.1f} ms  total {total}")


if __name__ == "__main__":
    main()
