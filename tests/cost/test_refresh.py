"""`prices refresh` against the Price List API's own answers (botocore Stubber; nothing reaches AWS).

The responses are shaped as GetProducts returns them: PriceList entries are JSON documents in strings,
with the product's attributes and its OnDemand terms, price dimensions and effectiveDate.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from cfncompiler.cost.refresh import bare_usage_type, refresh
from cfncompiler.cost.snapshot import Price, RegionPrices, Snapshot
from tests.conftest import ROOT


def product(
    usage_type: str,
    usd: str,
    unit: str,
    *,
    sku: str = "2TKDNX3SGTPW2YTR",
    tiers: tuple[str, ...] = ("0",),
    effective: str = "2026-10-01T00:00:00Z",
    region: str = "us-west-2",
) -> str:
    dimensions = {
        f"{sku}.JRTCKXETXF.{i}": {
            "unit": unit,
            "endRange": "Inf",
            "description": f"${usd} per {unit}",
            "appliesTo": [],
            "rateCode": f"{sku}.JRTCKXETXF.{i}",
            "beginRange": begin,
            "pricePerUnit": {"USD": usd if begin == "0" else "0.0100000000"},
        }
        for i, begin in enumerate(tiers)
    }
    document = {
        "product": {
            "productFamily": "NAT Gateway",
            "attributes": {
                "regionCode": region,
                "servicecode": "AmazonEC2",
                "usagetype": usage_type,
                "location": "US West (Oregon)",
                "operation": "NatGateway",
            },
            "sku": sku,
        },
        "serviceCode": "AmazonEC2",
        "terms": {
            "OnDemand": {
                f"{sku}.JRTCKXETXF": {
                    "priceDimensions": dimensions,
                    "sku": sku,
                    "effectiveDate": effective,
                    "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {},
                }
            }
        },
        "version": "20261001000000",
        "publicationDate": "2026-10-01T00:00:00Z",
    }
    return json.dumps(document)


def price(key: str, usage_type: str, usd: float, **extra: Any) -> Price:
    return Price(key, usd, "Hrs", usage_type, "AmazonEC2", "2025-06-01", "https://aws.amazon.com/vpc/pricing/", **extra)


def snapshot(*prices: Price) -> Snapshot:
    return Snapshot(
        ROOT / "prices.json",
        "2025-06-01",
        "transcribed",
        "by hand",
        {"us-west-2": RegionPrices("us-west-2", {p.key: p for p in prices})},
    )


@pytest.fixture
def pricing() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client("pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def request(usage_type: str, region: str | None = "us-west-2", **filters: str) -> dict[str, Any]:
    wanted = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in sorted(filters.items())]
    if region:
        wanted.append({"Type": "TERM_MATCH", "Field": "regionCode", "Value": region})
    wanted.append({"Type": "CONTAINS", "Field": "usagetype", "Value": usage_type})
    return {"ServiceCode": "AmazonEC2", "Filters": wanted, "FormatVersion": "aws_v1"}


def test_a_price_is_read_back_with_its_usage_type_unit_effective_date_and_source(pricing: Any) -> None:
    client, stubber = pricing
    stubber.add_response(
        "get_products",
        {"PriceList": [product("USW2-NatGateway-Hours", "0.0480000000", "Hrs")], "FormatVersion": "aws_v1"},
        request("NatGateway-Hours"),
    )
    outcome = refresh(client, snapshot(price("nat.hours", "USW2-NatGateway-Hours", 0.045)), (), "2026-11-30")
    [new] = outcome.snapshot.regions["us-west-2"].prices.values()
    assert (new.usd, new.unit, new.usage_type, new.effective) == (0.048, "Hrs", "USW2-NatGateway-Hours", "2026-10-01")
    assert new.source == "AWS Price List API, GetProducts (AmazonEC2, sku 2TKDNX3SGTPW2YTR)"
    assert outcome.refreshed == 1 and outcome.kept == ()
    assert outcome.snapshot.date == "2026-11-30" and outcome.snapshot.method == "read through the AWS Price List API"


def test_the_first_tier_is_taken_and_a_lookalike_usage_type_is_not(pricing: Any) -> None:
    client, stubber = pricing
    answer = [
        product("USW2-SpotUsage-Fargate-GB-Hours", "0.0013", "hours", sku="SPOT"),  # CONTAINS matches it too
        product("USW2-Fargate-GB-Hours", "0.0044450000", "hours", tiers=("0", "10240")),
    ]
    stubber.add_response("get_products", {"PriceList": answer[:1], "NextToken": "page-2"}, request("Fargate-GB-Hours"))
    stubber.add_response(
        "get_products", {"PriceList": answer[1:]}, {**request("Fargate-GB-Hours"), "NextToken": "page-2"}
    )
    outcome = refresh(client, snapshot(price("fargate.x86.gb-hours", "USW2-Fargate-GB-Hours", 0.004)), (), "2026-11-30")
    assert outcome.snapshot.regions["us-west-2"].prices["fargate.x86.gb-hours"].usd == 0.004445


def test_a_price_the_price_list_does_not_answer_keeps_its_value_and_is_reported(pricing: Any) -> None:
    client, stubber = pricing
    stubber.add_response("get_products", {"PriceList": []}, request("NatGateway-Bytes"))
    old = price("nat.gb", "USW2-NatGateway-Bytes", 0.045)
    outcome = refresh(client, snapshot(old), (), "2026-11-30")
    assert outcome.snapshot.regions["us-west-2"].prices["nat.gb"] == old
    assert outcome.kept == ("us-west-2 nat.gb: no AmazonEC2 product with usage type NatGateway-Bytes",)
    assert "1 price(s) the Price List did not answer" in outcome.snapshot.note


def test_a_new_region_gets_every_key_in_its_own_usage_types(pricing: Any) -> None:
    client, stubber = pricing
    stubber.add_response(
        "get_products",
        {"PriceList": [product("EUW1-NatGateway-Hours", "0.0480000000", "Hrs", region="eu-west-1")]},
        request("NatGateway-Hours", "eu-west-1"),
    )
    stubber.add_response(
        "get_products",
        {"PriceList": [product("USW2-NatGateway-Hours", "0.0450000000", "Hrs")]},
        request("NatGateway-Hours"),
    )
    outcome = refresh(
        client, snapshot(price("nat.hours", "USW2-NatGateway-Hours", 0.045)), ("eu-west-1",), "2026-11-30"
    )
    assert outcome.snapshot.regions["eu-west-1"].prices["nat.hours"].usage_type == "EUW1-NatGateway-Hours"
    assert sorted(outcome.snapshot.regions) == ["eu-west-1", "us-west-2"]


def test_global_prices_ask_for_no_region(pricing: Any) -> None:
    client, stubber = pricing
    stubber.add_response(
        "get_products",
        {"PriceList": [product("HostedZone", "0.5000000000", "HostedZone")]},
        request("HostedZone", None),
    )
    zone = price("route53.hosted-zone-months", "HostedZone", 0.5, is_global=True)
    assert refresh(client, snapshot(zone), (), "2026-11-30").refreshed == 1


@pytest.mark.parametrize(
    ("usage_type", "bare"),
    [
        ("USW2-NatGateway-Hours", "NatGateway-Hours"),
        ("us-west-2-KMS-Keys", "KMS-Keys"),
        ("USW2-InstanceUsage:db.r6g.large", "InstanceUsage:db.r6g.large"),
        ("HostedZone", "HostedZone"),
        ("DNS-Queries", "DNS-Queries"),
    ],
)
def test_the_region_prefix_is_what_differs_between_regions(usage_type: str, bare: str) -> None:
    assert bare_usage_type(usage_type) == bare
