"""Reading YAML with positions: what the loader accepts quietly and where it points."""

from __future__ import annotations

import warnings
from pathlib import Path

from cfncompiler.spec.source import parse_yaml, position


def test_an_anchor_defined_again_is_valid_yaml_read_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text("a: &size 1024\nb: &size 2048\nc: *size\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        document = parse_yaml(path)
    assert [str(w.message) for w in caught] == []
    assert dict(document) == {"a": 1024, "b": 2048, "c": 2048}  # an alias takes the latest definition


def test_comments_are_skipped_and_positions_kept(tmp_path: Path) -> None:
    path = tmp_path / "commented.yaml"
    path.write_text("# why\nnetwork:  # the VPC\n  # the CIDR\n  cidr: 10.0.0.0/16  # a /16\n", encoding="utf-8")
    document = parse_yaml(path)
    assert document["network"]["cidr"] == "10.0.0.0/16"
    assert position(document, ("network", "cidr")) == (None, 4, 9)
