"""Rebuild the price snapshot through the AWS Price List API (GetProducts), price by price.

Each price in the snapshot names its service code, usage type and attribute filters; refresh asks
for the product with that usage type in each region and takes its On-Demand price, unit and
effectiveDate. A region the snapshot lacks is added by asking for the same usage types without
their region prefix (USW2-NatGateway-Hours -> NatGateway-Hours in eu-west-1's own prefix).
A price the Price List does not answer unambiguously keeps its old value and is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cfncompiler.cost.snapshot import Price, RegionPrices, Snapshot

# The Price List API answers from us-east-1 (and a few other regions); its prices cover every region.
PRICING_REGION = "us-east-1"
SOURCE = "AWS Price List API, GetProducts"
# A usage type's region prefix: USW2-, EUC1-, or a region code itself (us-west-2-KMS-Keys).
_PREFIX = re.compile(r"^(?:[A-Z]{2,4}\d-|[a-z]{2}(?:-gov)?-[a-z]+-\d-)")


@dataclass(frozen=True)
class Outcome:
    snapshot: Snapshot
    refreshed: int
    kept: tuple[str, ...]  # "region key: why", for prices the Price List did not answer


def bare_usage_type(usage_type: str) -> str:
    """The usage type without its region prefix: what is the same in every region."""
    return _PREFIX.sub("", usage_type, count=1)


def refresh(client: Any, snapshot: Snapshot, add_regions: Sequence[str], today: str) -> Outcome:
    """Every price of every region again from GetProducts, and ``add_regions`` with the same keys."""
    template = next(iter(snapshot.regions.values()), None)
    regions = dict(snapshot.regions)
    for region in add_regions:
        if region not in regions and template is not None:
            regions[region] = RegionPrices(region, dict(template.prices))
    refreshed = 0
    kept: list[str] = []
    updated: dict[str, RegionPrices] = {}
    for region, prices in sorted(regions.items()):
        new: dict[str, Price] = {}
        for key, price in sorted(prices.prices.items()):
            found, why = _fetch(client, region, price)
            if found is None:
                kept.append(f"{region} {key}: {why}")
                new[key] = price
            else:
                new[key] = replace(found, key=key, note="")
                refreshed += 1
        updated[region] = RegionPrices(region, new)
    method = "read through the AWS Price List API" if not kept else "AWS Price List API, some prices kept"
    note = (
        f"Rebuilt by `cfncompiler prices refresh` on {today} from the AWS Price List API (GetProducts); "
        "'effective' is AWS's effectiveDate of each On-Demand price."
    )
    if kept:
        note += f" {len(kept)} price(s) the Price List did not answer keep their earlier value and source."
    return Outcome(
        replace(snapshot, date=today, written=today, method=method, note=note, regions=updated), refreshed, tuple(kept)
    )


def _fetch(client: Any, region: str, price: Price) -> tuple[Price | None, str]:
    bare = bare_usage_type(price.usage_type)
    filters = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in sorted(price.filters.items())]
    if not price.is_global:
        filters.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
    filters.append({"Type": "CONTAINS", "Field": "usagetype", "Value": bare})
    matches = [
        product
        for product in _products(client, price.service_code, filters)
        if bare_usage_type(str(product["product"]["attributes"].get("usagetype", ""))) == bare
    ]
    if not matches:
        return None, f"no {price.service_code} product with usage type {bare}"
    dimensions = [d for product in matches for d in _on_demand(product)]
    first_tier = [d for d in dimensions if str(d[1].get("beginRange", "0")) == "0"]
    if len(first_tier) != 1:
        return None, f"{len(first_tier)} On-Demand prices for {bare}, not one"
    product, dimension, effective = first_tier[0]
    usage_type = str(product["product"]["attributes"]["usagetype"])
    sku = str(product["product"].get("sku", ""))
    return (
        Price(
            key=price.key,
            usd=float(dimension["pricePerUnit"]["USD"]),
            unit=str(dimension.get("unit", price.unit)),
            usage_type=usage_type,
            service_code=price.service_code,
            effective=effective[:10],
            source=f"{SOURCE} ({price.service_code}, sku {sku})",
            filters=price.filters,
            is_global=price.is_global,
        ),
        "",
    )


def _products(client: Any, service_code: str, filters: list[dict[str, str]]) -> Iterator[Mapping[str, Any]]:
    """Every product GetProducts answers; PriceList entries are JSON documents held in strings."""
    token: str | None = None
    while True:
        request: dict[str, Any] = {"ServiceCode": service_code, "Filters": filters, "FormatVersion": "aws_v1"}
        if token:
            request["NextToken"] = token
        answer = client.get_products(**request)
        for entry in answer.get("PriceList", []):
            yield json.loads(entry) if isinstance(entry, str) else entry
        token = answer.get("NextToken")
        if not token:
            return


def _on_demand(product: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any], str]]:
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dimension in (term.get("priceDimensions") or {}).values():
            yield product, dimension, str(term.get("effectiveDate", ""))
