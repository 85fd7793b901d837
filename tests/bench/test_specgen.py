"""The benchmark's spec generator (bench/specgen.py) makes valid specs of the size asked for.

Only correctness here: the benchmark's timings are measured by ``make bench``,
never asserted in unit tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.specgen import DOMAIN, generate, service_name

from cfncompiler.spec.load import load
from cfncompiler.synth import gather_inputs

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SPEC = ROOT / "spec" / "production.yaml"


@pytest.mark.parametrize("services", [5, 20, 100])
def test_generated_spec_is_valid_with_n_platform_services(tmp_path: Path, services: int) -> None:
    path = generate(PRODUCTION_SPEC, services, tmp_path)

    loaded = load(path)

    platform = loaded.spec.platform.services
    assert len(platform) == services
    production = load(PRODUCTION_SPEC).spec
    assert set(production.platform.services) <= set(platform)
    assert loaded.spec.observability == production.observability
    added = [platform[name] for name in platform if name not in production.platform.services]
    hosts = [s.route.host for s in added if s.route is not None]
    assert len(hosts) == len(added) == len(set(hosts))
    assert all(host.endswith(f".{DOMAIN}") for host in hosts)
    assert all(s.discovery is not None for s in added)
    # Assets are found relative to the generated spec, as synth reads them.
    assert gather_inputs(loaded).asset_prefixes


def test_generator_refuses_fewer_services_than_the_base_has(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="already has"):
        generate(PRODUCTION_SPEC, 1, tmp_path)


def test_service_names_are_distinct_and_sorted_as_numbers() -> None:
    names = [service_name(i) for i in range(1, 101)]
    assert names == sorted(set(names))
