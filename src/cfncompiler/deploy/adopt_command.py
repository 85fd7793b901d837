"""The adopt command on a terminal: the plan as tables, the question, the import, then what is left to do."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich import box
from rich.table import Table

from cfncompiler.adopt import terraform
from cfncompiler.adopt.plan import LayerPlan
from cfncompiler.adopt.release import removed_blocks, resource_address, state_rm_commands
from cfncompiler.deploy import plan
from cfncompiler.deploy.adopter import Adopter
from cfncompiler.deploy.console import console, open_deployer, require_confirmation
from cfncompiler.errors import BadInput
from cfncompiler.spec.load import load
from cfncompiler.templates.write import write_all

# Terraform's own backend: its lock table (hash key LockID) and the bucket its state lives in.
LOCK_TABLE_KEY = "LockID"


def parse_pins(pins: Sequence[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pin in pins:
        logical_id, sep, address = pin.partition("=")
        if not sep or not logical_id or not address:
            raise BadInput(
                f"--map {pin}: write it as LOGICAL_ID=TF_ADDRESS, e.g. --map Database=module.db.aws_db_instance.main"
            )
        parsed[logical_id] = address
    return parsed


def run_adopt(
    spec_path: Path,
    out_dir: Path,
    state_path: Path,
    layers: Sequence[str],
    pins: Sequence[str],
    write_removed: Path | None,
    *,
    yes: bool,
    as_json: bool,
) -> None:
    pinned = parse_pins(pins)
    instances = terraform.read_state(state_path)
    require_confirmation(yes, "adopt")
    deployer = open_deployer(spec_path, out_dir, assume_yes=yes)
    adopter = Adopter(deployer, load(spec_path), instances)
    out = console()
    plans: list[LayerPlan] = []
    adopted: list[str] = []
    for layer in plan.select(layers):
        result = adopter.plan(layer, pinned)
        plans.append(result)
        if not as_json:
            out.print(plan_table(result, terminal=out.is_terminal))
        adopter.check(result)
        adopted += adopter.execute(result)
        if result.to_import and not as_json:
            deployer.reporter.note(
                layer, f"the next `{deployer.project.command(f'deploy --layer {layer}')}` would change:"
            )
            for layer_diff in deployer.diff([layer]):
                deployer.reporter.diff(layer_diff)
    backend = backend_addresses(instances)
    every = _instances_by_resource(instances)
    if write_removed is not None and adopted:
        write_all(write_removed.parent, {write_removed.name: removed_blocks(adopted, every, backend)})
    if as_json:
        out.print_json(json.dumps({"layers": [plan_json(p) for p in plans], "adopted": adopted}))
        return
    _print_release(out, adopted, every, backend, write_removed)


def backend_addresses(instances: Sequence[terraform.Instance]) -> list[str]:
    """Terraform's lock table and state bucket, so they are released last."""
    locks = [
        i.address
        for i in instances
        if i.type == "aws_dynamodb_table" and i.attributes.get("hash_key") == LOCK_TABLE_KEY
    ]
    state = [
        i.address
        for i in instances
        if i.type == "aws_s3_bucket"
        and any(w in str(i.attributes.get("bucket", "")) for w in ("tfstate", "terraform-state"))
    ]
    return [*state, *locks]


def _instances_by_resource(instances: Sequence[terraform.Instance]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for instance in instances:
        grouped.setdefault(resource_address(instance.address), []).append(instance.address)
    return grouped


def _print_release(
    out: Any, adopted: list[str], every: dict[str, list[str]], backend: list[str], written: Path | None
) -> None:
    if not adopted:
        return
    if written is not None:
        out.print(
            f"Wrote Terraform `removed` blocks (destroy = false) to {written}: apply them with `terraform apply`."
        )
    partial = sorted({resource_address(a) for a in adopted if not set(every[resource_address(a)]) <= set(adopted)})
    if partial:
        out.print(f"Only some instances of {', '.join(partial)} were adopted: release those with `terraform state rm`.")
    out.print("Or release them from Terraform's state one by one (the state bucket and lock table last):")
    for command in state_rm_commands(adopted, backend):
        out.print(f"  {command}", markup=False)


def plan_table(result: LayerPlan, *, terminal: bool) -> Table:
    table = Table(title=f"{result.layer}: {result.stack_name}", box=box.SIMPLE_HEAD if terminal else None)
    for column in ("Logical id", "Type", "Terraform address", "Matched by"):
        table.add_column(column, overflow="fold")
    for item in result.matching.matches:
        table.add_row(item.logical_id, item.resource_type, item.candidate.address, item.how)
    for item in result.taken_over:
        table.add_row(
            item.logical_id,
            item.resource_type,
            item.candidate.address,
            "created by the next deploy (CloudFormation cannot import this type); released from Terraform",
        )
    for logical_id, kind in result.matching.template_only:
        table.add_row(logical_id, kind, "-", "created by the next deploy")
    for candidate in result.matching.terraform_only:
        table.add_row("-", candidate.resource_type, candidate.address, "left in Terraform")
    for difference in result.differences:
        effect = (
            "REPLACES (refused)"
            if difference.loses_data
            else "replaced by deploy"
            if difference.replaces
            else "updated by deploy"
        )
        table.add_row(
            difference.logical_id, difference.resource_type, difference.address, f"{difference.property_name}: {effect}"
        )
    return table


def plan_json(result: LayerPlan) -> dict[str, Any]:
    return {
        "layer": result.layer,
        "stack": result.stack_name,
        "matches": [
            {"logical_id": m.logical_id, "type": m.resource_type, "address": m.candidate.address, "how": m.how}
            for m in result.matching.matches
        ],
        "created_by_deploy": [{"logical_id": lid, "type": kind} for lid, kind in result.matching.template_only],
        "taken_over_by_deploy": [
            {"logical_id": m.logical_id, "type": m.resource_type, "address": m.candidate.address}
            for m in result.taken_over
        ],
        "left_in_terraform": [c.address for c in result.matching.terraform_only],
        "differences": [
            {
                "logical_id": d.logical_id,
                "property": d.property_name,
                "template": d.template,
                "live": d.live,
                "replaces": d.replaces,
                "refused": d.loses_data,
            }
            for d in result.differences
        ],
        "deferred": [{"logical_id": lid, "property": prop} for lid, prop in result.deferred],
    }
