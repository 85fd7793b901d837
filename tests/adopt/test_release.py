"""Releasing adopted resources from Terraform: never destroyed, backend last, whole resources only."""

from __future__ import annotations

from cfncompiler.adopt.release import removed_blocks, resource_address, state_rm_commands

ADOPTED = ['aws_s3_bucket.this["state"]', "aws_dynamodb_table.locks", "module.db.aws_db_instance.main"]
EVERY = {
    "aws_s3_bucket.this": ['aws_s3_bucket.this["state"]', 'aws_s3_bucket.this["media"]'],
    "aws_dynamodb_table.locks": ["aws_dynamodb_table.locks"],
    "module.db.aws_db_instance.main": ["module.db.aws_db_instance.main"],
}
BACKEND = ['aws_s3_bucket.this["state"]', "aws_dynamodb_table.locks"]


def test_resource_address_drops_the_instance_key() -> None:
    assert resource_address('aws_s3_bucket.this["a[b]"]') == "aws_s3_bucket.this"
    assert resource_address("module.net.aws_subnet.app[0]") == "module.net.aws_subnet.app"
    assert resource_address("module.db.aws_db_instance.main") == "module.db.aws_db_instance.main"


def test_removed_blocks_never_destroy_and_skip_partly_adopted_resources() -> None:
    text = removed_blocks(ADOPTED, EVERY, BACKEND)
    assert text.count("removed {") == 2
    assert text.count("destroy = false") == 2
    assert "aws_s3_bucket.this" not in text  # only one of its two instances was adopted
    assert text.index("module.db.aws_db_instance.main") < text.index("aws_dynamodb_table.locks")


def test_state_rm_puts_the_state_bucket_and_lock_table_last() -> None:
    assert state_rm_commands(ADOPTED, BACKEND) == [
        "terraform state rm module.db.aws_db_instance.main",
        "terraform state rm 'aws_s3_bucket.this[\"state\"]'",
        "terraform state rm aws_dynamodb_table.locks",
    ]
