"""Render templates to text and put them in place without ever leaving a half-written file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import cfn_flip
from troposphere import Template

# Sections in the order a reader wants them; troposphere emits Outputs before Resources.
SECTION_ORDER = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
)


def render(template: Template) -> str:
    """Canonical YAML: same template, same bytes (key order is the builder's, short-form intrinsics)."""
    body = template.to_dict()
    ordered = {section: body[section] for section in SECTION_ORDER if section in body}
    return str(cfn_flip.to_yaml(json.dumps(ordered)))


def write_all(out_dir: Path, files: dict[str, str]) -> list[str]:
    """Write ``files`` (name -> text) into ``out_dir``; return the names whose content changed.

    Every file is first written and flushed beside its target, then renamed over
    it: a crash leaves each template either as it was or as it should be.
    Unchanged files are not touched, so their timestamps stay put.
    """
    changed = [name for name, text in files.items() if _read(out_dir / name) != text]
    if not changed:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name in changed:
            fd, temp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; templates are ordinary files
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(files[name])
                handle.flush()
                os.fsync(handle.fileno())
            staged.append((name, Path(temp_name)))
        for name, staged_path in staged:
            os.replace(staged_path, out_dir / name)
    finally:
        for _, leftover in staged:
            leftover.unlink(missing_ok=True)
    return changed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, UnicodeDecodeError):
        return None
