"""Names derived from the spec: CloudFormation logical ids, stack names, listener priorities.

Logical ids are a pure function of spec names, so the same spec always yields
the same ids and a rename in the spec is the only thing that changes one.
"""

from __future__ import annotations

import json
import re
import zlib
from functools import cache
from importlib.util import find_spec
from pathlib import Path

_WORD = re.compile(r"[A-Za-z0-9]+")


def logical_id(*parts: str) -> str:
    """'prod/coder/oidc' -> 'ProdCoderOidc'; ('sg', 'ecs-services') -> 'SgEcsServices'."""
    words = [w for part in parts for w in _WORD.findall(part)]
    return "".join(w[:1].upper() + w[1:] for w in words)


# Listener-rule priorities on the HTTPS listener: the ALB evaluates the lowest number first and
# allows 1-50000. Disjoint blocks, so no rule of one kind can take another kind's number:
ROUTE_PRIORITIES = range(1, 48999)  # service routes: derived from the host, or route.priority
# The routes' wildcard hosts (route.wildcard_hosts): after every exact route, since *.company.com also
# matches ai.company.com. It cannot come after the direct path (50000 is the ALB's last number); the
# rule S424 keeps a wildcard from matching a direct-path host instead, so its order there never matters.
WILDCARD_PRIORITY = 48999
WORKSPACE_PRIORITIES = range(49000, 50000)  # workspace templates' own rules on the direct path's hosts
DIRECT_PATH_PRIORITY = 50000  # the direct path's sign-in-then-404 rule: after every workspace rule

# The moduli a host's CRC-32 has been derived with, oldest first: 1-49999, then 1-48999 once the
# workspace block was kept, then 1-48998 once the wildcard rule was. A host keeps the first number that
# is still a route's, so each new reservation moved only the hosts that landed on the reserved numbers.
_DERIVATIONS = (49999, 48999, len(ROUTE_PRIORITIES))


def listener_priority(host: str, explicit: int | None) -> int:
    """A route's listener-rule priority: stable under adding or reordering routes, unlike a position.

    Derived from the host's CRC-32 as it always was; the few hosts that land on a reserved number
    (48999-50000) are derived again inside the route block, so every other host keeps the number its
    rule already has.
    """
    if explicit is not None:
        return explicit
    digest = zlib.crc32(host.encode())
    derived = [ROUTE_PRIORITIES.start + digest % modulus for modulus in _DERIVATIONS]
    return next(number for number in derived if number in ROUTE_PRIORITIES)


def reserved_priority(priority: int) -> str | None:
    """What a listener priority outside the route block is kept for, or None when a route may take it."""
    if priority == WILDCARD_PRIORITY:
        return f"the routes' wildcard hosts ({WILDCARD_PRIORITY})"
    if priority in WORKSPACE_PRIORITIES:
        first, last = WORKSPACE_PRIORITIES[0], WORKSPACE_PRIORITIES[-1]
        return f"workspace templates' own rules ({first}-{last})"
    if priority == DIRECT_PATH_PRIORITY:
        return f"the workspaces' direct path ({DIRECT_PATH_PRIORITY})"
    return None


def template_file(layer: str) -> str:
    return f"{layer}.yaml"


def stack_name(project: str, layer: str) -> str:
    return f"{project}-{layer}"


TEMPLATES_DIR = Path("templates_out")
PRIMARY_SPEC = "production"
PRIMARY_SPEC_PATH = Path("spec") / f"{PRIMARY_SPEC}.yaml"


def out_dir_for(spec_path: Path) -> Path:
    """templates_out/ for the production spec; templates_out/NAME/ for spec/NAME.yaml (an environment)."""
    return TEMPLATES_DIR if spec_path.stem == PRIMARY_SPEC else TEMPLATES_DIR / spec_path.stem


@cache
def aws_regions() -> frozenset[str]:
    """Every region botocore knows, read from its endpoint data (no boto3 import: this runs on every load)."""
    spec = find_spec("botocore")
    if spec is None or spec.origin is None:
        return frozenset()
    data = json.loads((Path(spec.origin).parent / "data" / "endpoints.json").read_text(encoding="utf-8"))
    return frozenset(region for partition in data["partitions"] for region in partition["regions"])
