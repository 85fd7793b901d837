"""The files a layer's template says must be in S3 before it deploys (``Metadata.cfncompiler.templates.assets``).

Each asset names a source directory (relative to the spec file), the
content-addressed prefix the compiler computed from it, and the template
Parameter that names the bucket. The prefix is recomputed from the files on
disk: if it differs, the template was compiled from other files and is stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cfncompiler.errors import BadInput
from cfncompiler.templates.assets import AssetFile, asset_files, asset_prefix


@dataclass(frozen=True)
class Asset:
    name: str
    source: Path
    prefix: str
    bucket_parameter: str


def declared(document: Mapping[str, Any], spec_dir: Path) -> list[Asset]:
    entries = ((document.get("Metadata") or {}).get("cfncompiler") or {}).get("assets") or []
    try:
        return [Asset(e["name"], spec_dir / e["source"], e["prefix"], e["bucket_parameter"]) for e in entries]
    except (KeyError, TypeError) as exc:
        raise BadInput(f"Metadata.cfncompiler.templates.assets is malformed ({exc}); run `make synth`.") from None


def files_of(asset: Asset, template: Path) -> list[AssetFile]:
    """The asset's files, after checking they are the ones the template was compiled from."""
    if not asset.source.is_dir():
        raise BadInput(f"{template}: asset {asset.name}: source directory {asset.source} does not exist.")
    files = asset_files(asset.source)
    actual = asset_prefix(asset.name, files)
    if actual != asset.prefix:
        raise BadInput(
            f"{template}: templates_out is stale, run make synth (asset {asset.name} in {asset.source} "
            f"hashes to {actual}, the template expects {asset.prefix})."
        )
    return files


def bucket_of(asset: Asset, parameters: Mapping[str, str], template: Path) -> str:
    try:
        return parameters[asset.bucket_parameter]
    except KeyError:
        raise BadInput(
            f"{template}: asset {asset.name} names bucket parameter {asset.bucket_parameter}, "
            "which the template does not receive; run `make synth`."
        ) from None
