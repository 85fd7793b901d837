"""Reading a Terraform state: the instances, their addresses as Terraform prints them, and refusals.

``fixtures/estate.tfstate`` (as `terraform state pull` writes it) and ``fixtures/estate.json``
(`terraform show -json` of the same state) hold one estate: root resources, `module.db`,
`module.network` and its child `module.network.module.vpc`, count and for_each instances, data
sources, a tainted NAT gateway and a deposed target group.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from cfncompiler.adopt.terraform import (
    HOW_TO_PRODUCE,
    Instance,
    adoption_blocker,
    instance_address,
    parse_state,
    read_state,
)
from cfncompiler.errors import EXIT_BAD_INPUT, BadInput

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STATE = FIXTURES / "estate.tfstate"
SHOW_JSON = FIXTURES / "estate.json"
REPOSITORY = Path(__file__).resolve().parents[2]

# Every managed instance of the estate; deposed objects share their current object's address.
ADDRESSES = [
    "aws_cloudwatch_log_group.flow_logs",
    "aws_dynamodb_table.terraform_locks",
    "aws_ecs_cluster.main",
    "aws_efs_access_point.coder",
    "aws_efs_backup_policy.coder",
    "aws_efs_file_system.coder",
    'aws_efs_mount_target.coder["us-west-2a"]',
    'aws_efs_mount_target.coder["us-west-2b"]',
    "aws_elasticache_replication_group.redis",
    "aws_elasticache_subnet_group.redis",
    "aws_iam_role.flow_logs",
    "aws_kms_alias.data",
    "aws_kms_key.data",
    "aws_lb.internal",
    "aws_lb_listener.https",
    "aws_lb_target_group.coder",
    "aws_lb_target_group.coder",
    'aws_s3_bucket.this["terraform-state"]',
    'aws_s3_bucket.this["backups"]',
    'aws_s3_bucket_policy.this["terraform-state"]',
    'aws_s3_bucket_public_access_block.this["terraform-state"]',
    'aws_s3_bucket_server_side_encryption_configuration.this["terraform-state"]',
    'aws_s3_bucket_versioning.this["terraform-state"]',
    "aws_secretsmanager_secret.coder_oidc",
    "aws_secretsmanager_secret_version.coder_oidc",
    "coderd_template.contractor_workspace",
    "random_password.redis_auth",
    "module.db.aws_db_instance.main",
    "module.db.aws_db_parameter_group.this",
    "module.db.aws_db_subnet_group.this",
    "module.network.aws_flow_log.vpc",
    'module.network.aws_security_group.this["alb"]',
    'module.network.aws_security_group.this["rds"]',
    "module.network.aws_vpc_endpoint.s3",
    "module.network.aws_vpc_security_group_ingress_rule.rds_from_services",
    "module.network.module.vpc.aws_eip.nat[0]",
    "module.network.module.vpc.aws_internet_gateway.this[0]",
    "module.network.module.vpc.aws_nat_gateway.this[0]",
    "module.network.module.vpc.aws_route.private_nat_gateway[0]",
    "module.network.module.vpc.aws_route_table.private[0]",
    "module.network.module.vpc.aws_route_table_association.private[0]",
    "module.network.module.vpc.aws_subnet.private[0]",
    "module.network.module.vpc.aws_subnet.private[1]",
    "module.network.module.vpc.aws_subnet.public[0]",
    "module.network.module.vpc.aws_vpc.this[0]",
]

BOTH = pytest.mark.parametrize("path", [STATE, SHOW_JSON], ids=["state-pull", "show-json"])


def by_address(instances: list[Instance]) -> dict[tuple[str, str | None], Instance]:
    return {(i.address, i.deposed): i for i in instances}


# --------------------------------------------------------------------------- instances


def test_a_pulled_state_gives_every_managed_instance_in_file_order() -> None:
    assert [i.address for i in read_state(STATE)] == ADDRESSES


@BOTH
def test_addresses_are_exactly_as_terraform_prints_them(path: Path) -> None:
    assert sorted(i.address for i in read_state(path)) == sorted(ADDRESSES)


def test_both_shapes_of_one_estate_read_the_same() -> None:
    pulled, shown = by_address(read_state(STATE)), by_address(read_state(SHOW_JSON))
    assert pulled.keys() == shown.keys()
    for key, instance in pulled.items():
        other = shown[key]
        assert (other.type, other.tainted, dict(other.attributes)) == (
            instance.type,
            instance.tainted,
            dict(instance.attributes),
        ), key


@BOTH
def test_data_sources_are_skipped(path: Path) -> None:
    types = {i.type for i in read_state(path)}
    assert not {"aws_caller_identity", "aws_region", "aws_iam_policy_document"} & types
    assert not any("data." in i.address for i in read_state(path))


@BOTH
def test_only_the_tainted_instance_is_flagged(path: Path) -> None:
    tainted = [i.address for i in read_state(path) if i.tainted]
    assert tainted == ["module.network.module.vpc.aws_nat_gateway.this[0]"]


@BOTH
def test_a_deposed_object_is_its_own_instance_with_its_key(path: Path) -> None:
    groups = [i for i in read_state(path) if i.address == "aws_lb_target_group.coder"]
    assert sorted((i.deposed or "", i.attributes["name"]) for i in groups) == [
        ("", "coder-20241104150312"),
        ("6d5f7b2a", "coder-20240611093015"),
    ]


@BOTH
def test_attributes_are_the_providers_values(path: Path) -> None:
    database = by_address(read_state(path))[("module.db.aws_db_instance.main", None)]
    assert database.type == "aws_db_instance"
    assert database.attributes["identifier"] == "coder-production"
    assert database.attributes["id"] == "db-7HNQKZ4XBMRW2TJ5LYEVCA3SUI"
    assert database.attributes["vpc_security_group_ids"] == ["sg-0123456789abcdef0"]


def test_an_instance_can_be_hashed_and_compared() -> None:
    instances = read_state(STATE)
    assert len(set(instances)) == len(instances)
    assert instances[0] == read_state(STATE)[0]


def test_an_empty_state_shown_as_json_has_no_instances() -> None:
    # What `terraform show -json` prints in a working directory without resources.
    assert parse_state(b'{"format_version":"1.0"}', "empty.json") == []


def test_a_state_saved_by_powershell_in_utf16_is_read(tmp_path: Path) -> None:
    path = tmp_path / "estate.tfstate"
    path.write_bytes(STATE.read_text(encoding="utf-8").encode("utf-16"))
    assert [i.address for i in read_state(path)] == ADDRESSES


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("module", "resource_type", "name", "key", "expected"),
    [
        (None, "aws_vpc", "main", None, "aws_vpc.main"),
        (None, "aws_subnet", "private", 0, "aws_subnet.private[0]"),
        ("module.db", "aws_db_instance", "main", None, "module.db.aws_db_instance.main"),
        ("module.net.module.vpc", "aws_subnet", "this", 1, "module.net.module.vpc.aws_subnet.this[1]"),
        ('module.net["eu"]', "aws_vpc", "this", None, 'module.net["eu"].aws_vpc.this'),
        (None, "aws_s3_bucket", "this", "logs", 'aws_s3_bucket.this["logs"]'),
        (None, "aws_s3_bucket", "this", "", 'aws_s3_bucket.this[""]'),
        (None, "aws_s3_bucket", "this", 'say "hi"', r'aws_s3_bucket.this["say \"hi\""]'),
        (None, "aws_s3_bucket", "this", "a\\b", r'aws_s3_bucket.this["a\\b"]'),
        (None, "aws_s3_bucket", "this", "two\nlines\t", r'aws_s3_bucket.this["two\nlines\t"]'),
        (None, "aws_s3_bucket", "this", "bell\x07", r'aws_s3_bucket.this["bell\u0007"]'),
        # Terraform quotes keys as HCL strings: a template opener is doubled, non-ASCII kept.
        (None, "aws_s3_bucket", "this", "${var}", 'aws_s3_bucket.this["$${var}"]'),
        (None, "aws_s3_bucket", "this", "%{if}", 'aws_s3_bucket.this["%%{if}"]'),
        (None, "aws_s3_bucket", "this", "100% $5", 'aws_s3_bucket.this["100% $5"]'),
        (None, "aws_s3_bucket", "this", "café", 'aws_s3_bucket.this["café"]'),
    ],
)
def test_instance_address(
    module: str | None, resource_type: str, name: str, key: int | str | None, expected: str
) -> None:
    assert instance_address(module, resource_type, name, key) == expected


def test_a_for_each_key_is_quoted_in_the_address_read_from_a_state() -> None:
    document = {
        "version": 4,
        "terraform_version": "1.9.8",
        "serial": 1,
        "lineage": "x",
        "resources": [
            {
                "module": "module.buckets",
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "this",
                "each": "map",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"index_key": 'logs "eu"', "schema_version": 0, "attributes": {"bucket": "b"}}],
            }
        ],
    }
    (instance,) = parse_state(json.dumps(document).encode(), "estate.tfstate")
    assert instance.address == r'module.buckets.aws_s3_bucket.this["logs \"eu\""]'


# --------------------------------------------------------------------------- what blocks adoption


def test_a_tainted_instance_is_blocked_with_the_untaint_command_quoted_for_a_shell() -> None:
    nat = next(i for i in read_state(STATE) if i.tainted)
    reason = adoption_blocker(nat)
    assert reason is not None
    address = "module.network.module.vpc.aws_nat_gateway.this[0]"
    assert f"Terraform marked {address} tainted: it plans to replace it" in reason
    assert "`terraform apply`" in reason
    assert f"`terraform untaint '{address}'`" in reason


def test_a_deposed_object_is_blocked_as_a_create_before_destroy_leftover() -> None:
    deposed = next(i for i in read_state(STATE) if i.deposed)
    reason = adoption_blocker(deposed)
    assert reason is not None
    assert reason.startswith("aws_lb_target_group.coder (deposed object 6d5f7b2a) is a leftover create_before_destroy")
    assert "`terraform apply`" in reason


def test_a_healthy_instance_is_not_blocked() -> None:
    assert [i.address for i in read_state(STATE) if adoption_blocker(i)] == [
        "aws_lb_target_group.coder",
        "module.network.module.vpc.aws_nat_gateway.this[0]",
    ]


# --------------------------------------------------------------------------- refusals


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def saved_plan(tmp_path: Path) -> Path:
    path = tmp_path / "tfplan"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tfplan", b"\x00binary plan")
        archive.writestr("tfstate", "{}")
    return path


def future_state(tmp_path: Path) -> Path:
    return write(tmp_path, "future.tfstate", json.dumps({"version": 5, "resources": []}))


def damaged_state(tmp_path: Path) -> Path:
    return write(tmp_path, "damaged.tfstate", json.dumps({"version": 4, "resources": {"aws_vpc.main": {}}}))


def flatmap_state(tmp_path: Path) -> Path:
    document = json.loads(STATE.read_text(encoding="utf-8"))
    instance = document["resources"][2]["instances"][0]
    instance["attributes_flat"] = {"id": "terraform-locks"}
    del instance["attributes"]
    return write(tmp_path, "old.tfstate", json.dumps(document))


REFUSALS = {
    "missing": (lambda tmp: tmp / "nowhere.tfstate", "does not exist"),
    "directory": (lambda tmp: tmp, "is a directory"),
    "empty": (lambda tmp: write(tmp, "empty.tfstate", " \n"), "is empty"),
    "truncated": (lambda tmp: FIXTURES / "truncated.tfstate", "is not JSON (Expecting property name"),
    "cut off": (lambda tmp: FIXTURES / "truncated.tfstate", "it stops in the middle, as a file does when"),
    "not json": (lambda tmp: write(tmp, "notes.txt", "state: see the wiki\n"), "is not JSON (Expecting value"),
    "binary": (lambda tmp: write(tmp, "state.bin", b"\xff\xfe\xfa\x00\xc3"), "is not text"),
    "saved plan": (saved_plan, "is a saved plan"),
    "plan json": (lambda tmp: FIXTURES / "plan.json", "is the JSON of a plan"),
    "cloudformation json": (lambda tmp: FIXTURES / "template.json", "is a CloudFormation template"),
    "cloudformation yaml": (
        lambda tmp: REPOSITORY / "templates_out" / "data.yaml",
        "looks like a CloudFormation template in YAML",
    ),
    "show without -json": (lambda tmp: FIXTURES / "show.txt", "the text `terraform show` prints without -json"),
    "version 3": (lambda tmp: FIXTURES / "v3.tfstate", "is a version 3 state, written by Terraform 0.11 or earlier"),
    "version 5": (future_state, "is a version 5 state, newer than"),
    "show json 2.0": (
        lambda tmp: write(tmp, "estate.json", '{"format_version": "2.0", "values": {}}'),
        "format_version 2.0",
    ),
    "provider schemas": (
        lambda tmp: write(tmp, "schemas.json", '{"format_version": "1.0", "provider_schemas": {}}'),
        "is provider schemas",
    ),
    "configuration": (
        lambda tmp: write(tmp, "main.tf.json", '{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}}}'),
        "is Terraform configuration in JSON syntax",
    ),
    "a list": (lambda tmp: write(tmp, "list.json", "[]"), "holds a JSON list"),
    "another object": (
        lambda tmp: write(tmp, "stack.json", '{"StackResourceSummaries": []}'),
        "is a JSON object with StackResourceSummaries",
    ),
    "damaged": (damaged_state, "is damaged: resources of the state is not a list"),
    "flatmap": (flatmap_state, "in the flat attribute format of Terraform 0.11"),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_file_that_is_no_state_is_refused_in_one_paragraph_naming_it_and_the_fix(case: str, tmp_path: Path) -> None:
    make, phrase = REFUSALS[case]
    path = make(tmp_path)
    with pytest.raises(BadInput) as caught:
        read_state(path)
    message = str(caught.value)
    assert caught.value.exit_code == EXIT_BAD_INPUT
    assert message.startswith(f"{path} "), message
    assert phrase in message
    assert message.endswith(HOW_TO_PRODUCE)
    assert "terraform state pull > estate.tfstate" in message
    assert "terraform show -json > estate.json" in message
    assert "\n" not in message, "one paragraph"
    assert "Traceback" not in message
    # Raised `from None` where it replaces another exception: no chained traceback to show.
    assert caught.value.__suppress_context__ or caught.value.__context__ is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "estate.tfstate", STATE.read_bytes())
    path.chmod(0)
    with pytest.raises(BadInput, match="cannot be read: permission denied"):
        read_state(path)


def test_a_wrong_index_key_is_damage_not_a_crash() -> None:
    document = {
        "version": 4,
        "resources": [
            {"mode": "managed", "type": "aws_vpc", "name": "main", "instances": [{"index_key": True, "attributes": {}}]}
        ],
    }
    with pytest.raises(BadInput, match=r"resources\[0\]\.instances\[0\]\.index_key is True"):
        parse_state(json.dumps(document).encode(), "estate.tfstate")
