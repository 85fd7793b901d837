"""The committed price snapshot: each price says where it came from; a missing region or broken file is a paragraph."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cfncompiler.cost.snapshot import SNAPSHOT_PATH, document, load_snapshot
from cfncompiler.errors import EXIT_BAD_INPUT, PricesUnavailable
from cfncompiler.spec.load import load_spec
from tests.conftest import PRODUCTION_SPEC, ROOT


def test_every_price_names_its_usage_type_unit_effective_date_and_source() -> None:
    snapshot = load_snapshot()
    assert snapshot.method == "transcribed" and "Transcribed by hand" in snapshot.note
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", snapshot.date)
    for region in snapshot.regions.values():
        for price in region.prices.values():
            assert price.usd >= 0 and price.unit and price.service_code, price.key
            assert price.usage_type.startswith(("USW2-", "us-west-2-")) or price.is_global, price.key
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.effective), price.key
            assert price.source.startswith("https://aws.amazon.com/"), price.key


def test_the_snapshot_covers_the_region_of_every_spec() -> None:
    snapshot = load_snapshot()
    for spec in sorted((ROOT / "spec").glob("*.yaml")):
        snapshot.region(load_spec(spec).region)


def test_the_committed_file_is_what_a_refresh_would_write() -> None:
    assert SNAPSHOT_PATH.read_text(encoding="utf-8") == json.dumps(document(load_snapshot()), indent=2) + "\n"


def test_a_region_the_snapshot_lacks_is_one_paragraph_naming_the_regions_it_has() -> None:
    with pytest.raises(PricesUnavailable) as raised:
        load_snapshot().region("eu-west-1")
    [line] = raised.value.lines()
    assert "has no prices for eu-west-1" in line and "us-west-2" in line and "prices refresh --region eu-west-1" in line
    assert raised.value.exit_code == EXIT_BAD_INPUT


@pytest.mark.parametrize(
    "text", ["not json", '{"regions": {}}', '{"date": "x", "method": "m", "regions": {"r": {"k": {"usd": "cheap"}}}}']
)
def test_a_broken_snapshot_is_one_paragraph(tmp_path: Path, text: str) -> None:
    path = tmp_path / "prices.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PricesUnavailable, match="is not a snapshot cfncompiler can read"):
        load_snapshot(path)


def test_a_missing_snapshot_is_one_paragraph(tmp_path: Path) -> None:
    with pytest.raises(PricesUnavailable, match="does not exist"):
        load_snapshot(tmp_path / "gone.json")


def test_production_spec_is_in_the_snapshot_region() -> None:
    assert load_spec(PRODUCTION_SPEC).region in load_snapshot().regions
