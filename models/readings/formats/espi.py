"""Green Button (NAESB ESPI) Atom feeds: interval data of electricity usage points.

Entries are tied together by their links (MeterReading -> ReadingType, IntervalBlock -> MeterReading,
MeterReading -> UsagePoint); producers get these wrong often enough that a file with one usage point
or one reading type falls back to it. Values are value x 10^powerOfTenMultiplier in the reading
type's unit; only watt-hours (uom 72) are energy here, forward flow to import (1.8.0) and reverse to
export (2.8.0). Times are epoch seconds (UTC); readings may come in any order. Usage summaries
(bill amounts) are not readings and are left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from models.readings.formats import FileRefused, Problems
from models.readings.formats.nem import IntervalChannel

ATOM, ESPI = "{http://www.w3.org/2005/Atom}", "{http://naesb.org/espi}"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
WATT_HOURS = "72"
UNIT_NAMES = {"169": "therms", "119": "cubic feet", "42": "cubic metres", "38": "watts", "61": "volt-amperes",
              "63": "var", "73": "varh"}
FLOWS = {"1": "E1", "19": "B1"}      # forward -> import channel, reverse -> export channel
ESTIMATED = {"7", "8", "9", "11", "12", "13"}   # ESPI quality codes: edited, estimated, derived, projected, mixed


@dataclass
class UsagePoint:
    href: str
    title: str
    kind: str
    channels: list[IntervalChannel] = field(default_factory=list)


def is_espi(data: bytes) -> bool:
    head = data[:2000].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<") and b"http://naesb.org/espi" in data[:20000]


def parse_espi(data: bytes) -> list[UsagePoint]:
    try:
        root = etree.fromstring(data, SAFE)
    except etree.XMLSyntaxError as exc:
        raise FileRefused([f"not well-formed XML: {exc}"]) from None
    entries = []
    for entry in root.iter(f"{ATOM}entry"):
        content = entry.find(f"{ATOM}content")
        body = next((child for child in (content if content is not None else []) if isinstance(child.tag, str)
                     and child.tag.startswith(ESPI)), None)
        if body is not None:
            links = [(link.get("rel"), (link.get("href") or "").strip()) for link in entry.findall(f"{ATOM}link")]
            self_href = next((href for rel, href in links if rel == "self"), "")
            up = next((href for rel, href in links if rel == "up"), "")
            related = [href for rel, href in links if rel == "related"]
            entries.append((body.tag[len(ESPI):], body, self_href, up, related, entry.findtext(f"{ATOM}title") or ""))
    points = _first_by_href([e for e in entries if e[0] == "UsagePoint"])
    types = _first_by_href([e for e in entries if e[0] == "ReadingType"])
    readings = _first_by_href([e for e in entries if e[0] == "MeterReading"])
    blocks = _first_by_href([e for e in entries if e[0] == "IntervalBlock"])
    if not blocks:
        raise FileRefused(["the file holds no interval data (IntervalBlock); usage summaries are not readings"])
    if not points:
        raise FileRefused(["no UsagePoint: this is not a Green Button usage file"])
    out = {href: UsagePoint(href, title, body.findtext(f"{ESPI}ServiceCategory/{ESPI}kind") or "")
           for href, (_, body, _, _, _, title) in points.items()}
    problems, channels = Problems(), {}
    for href, (_, _body, _, up, related, title) in readings.items():
        point = _owner(up.rsplit("/MeterReading", 1)[0], out)
        reading_type = _owner(next((r for r in related if "ReadingType" in r), ""), types)
        if point is None or reading_type is None:
            problems.add(f"meter reading '{title or href}': cannot tell its usage point or reading type")
            continue
        rt = reading_type[1]
        if point.kind != "0":
            problems.add(f"usage point '{point.title or point.href}' is not electricity (service kind "
                         f"{point.kind or 'missing'}); only electricity is imported")
            continue
        uom = rt.findtext(f"{ESPI}uom") or ""
        if uom != WATT_HOURS:
            problems.add(f"meter reading '{title or href}' measures {UNIT_NAMES.get(uom, 'uom ' + uom)}, "
                         "not watt-hours")
            continue
        flow = rt.findtext(f"{ESPI}flowDirection") or "1"
        if flow not in FLOWS:
            problems.add(f"meter reading '{title or href}': flow direction {flow} is neither forward nor reverse")
            continue
        scale = Decimal(10) ** int(rt.findtext(f"{ESPI}powerOfTenMultiplier") or 0) / 1000   # to kWh
        channel = IntervalChannel(0, point.href, "", FLOWS[flow], 0)
        point.channels.append(channel)
        channels[href] = (channel, scale)
    for href, (_, body, _, up, _, _title) in blocks.items():
        owner = _owner(up.rsplit("/IntervalBlock", 1)[0], channels)
        if owner is None:
            if len(channels) == 1 or not readings:
                owner = next(iter(channels.values()), None)
            if owner is None:
                continue        # its meter reading was refused above (or there is none we can import)
        channel, scale = owner
        for n, reading in enumerate(body.iter(f"{ESPI}IntervalReading"), start=1):
            try:
                start = int(reading.findtext(f"{ESPI}timePeriod/{ESPI}start"))
                seconds = int(reading.findtext(f"{ESPI}timePeriod/{ESPI}duration"))
                value = Decimal(reading.findtext(f"{ESPI}value"))
            except (TypeError, ValueError, InvalidOperation):
                problems.add(f"interval block '{href}', reading {n}: "
                             "start, duration or value missing or not a number")
                continue
            if seconds <= 0 or seconds % 60:
                problems.add(f"interval block '{href}', reading {n}: duration {seconds} s is not whole minutes")
                continue
            quality = reading.findtext(f"{ESPI}ReadingQuality/{ESPI}quality") or "0"
            channel.intervals.append((datetime.fromtimestamp(start, UTC), seconds // 60, value * scale,
                                      "E" if quality in ESTIMATED else "A"))
    if problems:
        raise FileRefused(problems)
    for point in out.values():
        for channel in point.channels:
            channel.intervals.sort(key=lambda i: i[0])
            channel.minutes = channel.intervals[0][1] if channel.intervals else 0
        point.channels = [c for c in point.channels if c.intervals]
    found = [p for p in out.values() if p.channels]
    if not found:
        raise FileRefused(["no electricity interval readings in the file"])
    return found


def _first_by_href(entries: list) -> dict:
    """Entries by their self link; a repeated entry (some producers write each twice) counts once."""
    out = {}
    for n, entry in enumerate(entries):
        out.setdefault(entry[2] or f"#{entry[0]}{n}", entry)
    return out


def _owner(href: str, candidates: dict):
    if href in candidates:
        return candidates[href]
    matches = [value for key, value in candidates.items() if href and (key.endswith(href) or href.endswith(key))]
    if len(matches) == 1:
        return matches[0]
    return next(iter(candidates.values())) if len(candidates) == 1 else None
