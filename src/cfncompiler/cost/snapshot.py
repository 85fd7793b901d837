"""The committed price snapshot (prices.json): one price per key and region, each with its AWS Price
List usage type, unit, effective date and source, so an estimate can say where every figure came from."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfncompiler.errors import PricesUnavailable

SNAPSHOT_PATH = Path(__file__).with_name("prices.json")


@dataclass(frozen=True)
class Price:
    """One AWS price: ``usd`` per ``unit``, as the Price List calls its usage type."""

    key: str
    usd: float
    unit: str
    usage_type: str
    service_code: str
    effective: str
    source: str
    # GetProducts attribute filters besides the region and usage type that pick exactly this product.
    filters: Mapping[str, str] = field(default_factory=dict)
    # Route 53 and dashboards are priced once for every region: no regionCode filter.
    is_global: bool = False
    note: str = ""


@dataclass(frozen=True)
class RegionPrices:
    region: str
    prices: Mapping[str, Price]

    def get(self, key: str) -> Price | None:
        return self.prices.get(key)


@dataclass(frozen=True)
class Snapshot:
    path: Path
    date: str
    method: str
    note: str
    regions: Mapping[str, RegionPrices]
    written: str = ""

    def region(self, region: str) -> RegionPrices:
        found = self.regions.get(region)
        if found is None:
            raise PricesUnavailable(
                f"The price snapshot {self.path} has no prices for {region} (it has "
                f"{', '.join(sorted(self.regions)) or 'none'}), so nothing in that region can be estimated. "
                f"Add the region with `cfncompiler prices refresh --region {region}` (AWS credentials needed), "
                "or estimate a spec in a region the snapshot covers."
            )
        return found

    @property
    def line(self) -> str:
        """How an estimate names its prices, in one line."""
        how = "transcribed by hand from AWS's pricing pages" if self.method == "transcribed" else self.method
        return f"prices: snapshot of {self.date} ({how}; {self.path.name})"


def load_snapshot(path: Path = SNAPSHOT_PATH) -> Snapshot:
    """The snapshot at ``path``; a missing or malformed file is one paragraph, never a traceback."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return _snapshot(path, document)
    except FileNotFoundError:
        raise PricesUnavailable(
            f"The price snapshot {path} does not exist; restore it from git or rebuild it with "
            "`cfncompiler prices refresh`."
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise PricesUnavailable(
            f"The price snapshot {path} is not a snapshot cfncompiler can read ({type(exc).__name__}: {exc}); "
            "restore it from git or rebuild it with `cfncompiler prices refresh`."
        ) from None


def _snapshot(path: Path, document: Mapping[str, Any]) -> Snapshot:
    regions = {
        region: RegionPrices(region, {key: _price(key, entry) for key, entry in entries.items()})
        for region, entries in document["regions"].items()
    }
    return Snapshot(
        path,
        str(document["date"]),
        str(document["method"]),
        str(document.get("note", "")),
        regions,
        str(document.get("written", "")),
    )


def _price(key: str, entry: Mapping[str, Any]) -> Price:
    usd = entry["usd"]
    if isinstance(usd, bool) or not isinstance(usd, int | float) or usd < 0:
        raise ValueError(f"{key}: usd must be a number of dollars, not {usd!r}")
    return Price(
        key=key,
        usd=float(usd),
        unit=str(entry["unit"]),
        usage_type=str(entry["usage_type"]),
        service_code=str(entry["service_code"]),
        effective=str(entry["effective"]),
        source=str(entry["source"]),
        filters={str(k): str(v) for k, v in (entry.get("filters") or {}).items()},
        is_global=bool(entry.get("global", False)),
        note=str(entry.get("note", "")),
    )


def document(snapshot: Snapshot) -> dict[str, Any]:
    """The snapshot as prices.json holds it (what `prices refresh` writes)."""
    return {
        "date": snapshot.date,
        "written": snapshot.written,
        "method": snapshot.method,
        "note": snapshot.note,
        "regions": {
            region: {key: _entry(price) for key, price in sorted(prices.prices.items())}
            for region, prices in sorted(snapshot.regions.items())
        },
    }


def _entry(price: Price) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "usd": price.usd,
        "unit": price.unit,
        "usage_type": price.usage_type,
        "service_code": price.service_code,
        "filters": dict(price.filters),
        "effective": price.effective,
        "source": price.source,
    }
    if price.is_global:
        entry["global"] = True
    if price.note:
        entry["note"] = price.note
    return entry
