"""Letting Terraform go of what CloudFormation now holds, without destroying anything.

Terraform 1.7+ ``removed`` blocks forget a resource at the next ``terraform apply``; ``destroy =
false`` is always written because the default destroys it. A ``removed`` block names a whole
resource (no instance key), so a resource only some of whose instances were adopted is released
with ``terraform state rm`` for those instances instead. Terraform needs its state bucket and lock
table to edit its own state, so those are released last.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence

# A count index or a for_each key, which may itself hold brackets: ["a[b]"].
_INSTANCE_KEY = re.compile(r'\[(\d+|"(?:[^"\\]|\\.)*")\]$')


def resource_address(address: str) -> str:
    """``aws_s3_bucket.this["logs"]`` -> ``aws_s3_bucket.this``."""
    return _INSTANCE_KEY.sub("", address)


def release_order(addresses: Sequence[str], backend: Sequence[str]) -> list[str]:
    """``addresses`` in release order: Terraform's own backend (state bucket, lock table) last."""
    return sorted(addresses, key=lambda a: (a in backend, addresses.index(a)))


def removed_blocks(adopted: Sequence[str], every_instance: Mapping[str, Sequence[str]], backend: Sequence[str]) -> str:
    """HCL ``removed`` blocks for each resource all of whose instances were adopted.

    ``every_instance`` maps a resource address to all its instance addresses in the state.
    """
    whole: list[str] = []
    for address in release_order(list(adopted), backend):
        resource = resource_address(address)
        if resource in whole or not set(every_instance.get(resource, [address])) <= set(adopted):
            continue
        whole.append(resource)
    return "".join(
        f"removed {{\n  from = {resource}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}\n\n" for resource in whole
    ).rstrip("\n") + ("\n" if whole else "")


def state_rm_commands(adopted: Sequence[str], backend: Sequence[str]) -> list[str]:
    return [f"terraform state rm {shlex.quote(address)}" for address in release_order(list(adopted), backend)]
