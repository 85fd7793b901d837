"""The estimate of the committed templates, and comparing two sets of templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncompiler.cost.estimate import Estimate, compare, estimate, read_templates
from cfncompiler.cost.pricing import NOT_PRICED, PRICED
from cfncompiler.cost.snapshot import load_snapshot
from cfncompiler.errors import PricesUnavailable
from cfncompiler.layers import ORDER
from cfncompiler.spec.load import load_spec
from cfncompiler.templates.parse import parse_template
from tests.conftest import COMMITTED_OUT, PRODUCTION_SPEC, ROOT

STAGING_SPEC = ROOT / "spec" / "staging.yaml"


@pytest.fixture(scope="module")
def production() -> Estimate:
    spec = load_spec(PRODUCTION_SPEC)
    return estimate(read_templates(COMMITTED_OUT, ORDER), spec.region, spec.usage, load_snapshot())


def test_every_resource_of_the_four_templates_is_listed(production: Estimate) -> None:
    for layer in production.layers:
        document = parse_template((COMMITTED_OUT / f"{layer.layer}.yaml").read_text(encoding="utf-8"))
        assert [r.logical_id for r in layer.resources] == list(document["Resources"]), layer.layer


def test_totals_add_up_per_layer_and_overall(production: Estimate) -> None:
    layers = production.layers
    assert [layer.layer for layer in layers] == list(ORDER)
    for layer in layers:
        assert layer.monthly == pytest.approx(sum(r.monthly for r in layer.resources if r.state == PRICED))
    assert production.monthly == pytest.approx(sum(layer.monthly for layer in layers))
    assert production.monthly > 0


def test_the_unpriced_resources_of_the_real_spec_are_only_those_with_a_stated_reason(production: Estimate) -> None:
    unpriced = {r.resource_type for layer in production.layers for r in layer.resources if r.state == NOT_PRICED}
    assert unpriced == {"AWS::ServiceDiscovery::Service", "AWS::ECS::Cluster"}


def test_the_assumptions_used_are_the_ones_the_spec_sets(production: Estimate) -> None:
    used = {a.name: a.value for a in production.assumptions}
    assert used["nat_gb_per_month"] == 200 and used["efs_infrequent_access_share"] == 0.5
    assert "dns_million_queries_per_zone_per_month" not in used  # no hosted zone in the templates


def test_staging_is_cheaper_where_its_spec_says_smaller() -> None:
    spec = load_spec(STAGING_SPEC)
    snapshot = load_snapshot()
    staging = estimate(read_templates(COMMITTED_OUT / "staging", ORDER), spec.region, spec.usage, snapshot)
    production = estimate(read_templates(COMMITTED_OUT, ORDER), spec.region, spec.usage, snapshot)
    changes = {c.layer: c for c in compare(production, staging)}
    cheaper = {r.logical_id for c in changes.values() for r in c.resources if r.delta < 0}
    assert {"Database", "Cache", "CoderService", "LitellmService", "ClickhouseService"} <= cheaper
    # Nothing costs more in staging; what it only drops (production's webhook subscription) is free.
    assert all(r.delta <= 0 for c in changes.values() for r in c.resources)
    assert staging.monthly < production.monthly
    assert changes["network"].delta == 0 and changes["network"].resources == ()


def test_a_missing_template_is_one_paragraph(tmp_path: Path) -> None:
    with pytest.raises(PricesUnavailable, match="missing: the estimate prices compiled templates"):
        read_templates(tmp_path, ORDER)
