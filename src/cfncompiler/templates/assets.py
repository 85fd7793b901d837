"""Content-addressed assets: a directory shipped to S3 under a prefix named by its hash.

The compiler puts the prefix into the template, so changing any file changes
the template (a new task definition revision, a rolling deploy); the deployer
uploads the same files under that prefix before the layer deploys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

# Files that never belong in an asset (editor and interpreter droppings).
IGNORED_PARTS = frozenset({"__pycache__", ".DS_Store", ".pytest_cache"})


@dataclass(frozen=True)
class AssetFile:
    relative: str
    data: bytes


def asset_files(directory: Path) -> list[AssetFile]:
    """Every file under ``directory``, sorted by path, so the digest does not depend on the filesystem."""
    found = [
        AssetFile(path.relative_to(directory).as_posix(), path.read_bytes())
        for path in directory.rglob("*")
        if path.is_file()
        and not IGNORED_PARTS.intersection(path.relative_to(directory).parts)
        and not path.name.endswith(".pyc")
    ]
    return sorted(found, key=lambda f: f.relative)


def digest(files: list[AssetFile]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(f.data).digest())
    return h.hexdigest()


def asset_prefix(name: str, files: list[AssetFile]) -> str:
    return f"assets/{name}/{digest(files)[:16]}/"
