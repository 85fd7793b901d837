"""What Terraform knows about the live estate: the managed resource instances of one state file.

Two shapes are read, both printed by Terraform itself: the state file, format version 4, as
``terraform state pull`` writes it (Terraform 0.12 to 1.x), and ``terraform show -json``'s
rendering of that state (format_version 1.x). Anything else is refused with one paragraph that
names the file, says what it looks like instead and how to produce a good one.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfncompiler.errors import BadInput

# Said at the end of every refusal: the two commands that produce a file this module reads.
HOW_TO_PRODUCE = (
    "In the Terraform working directory that manages the estate, run "
    "`terraform state pull > estate.tfstate` (or `terraform show -json > estate.json`) "
    "and pass that file to --terraform-state."
)

# `terraform plan -out` writes a zip archive; its first bytes say so before any decoding is tried.
_ZIP_MAGIC = b"PK\x03\x04"
_STATE_VERSION = 4
_SHOW_FORMAT_MAJOR = "1"
# Keys only a plan's JSON has: `terraform show -json PLANFILE` describes changes, not the estate.
_PLAN_KEYS = frozenset({"planned_values", "resource_changes", "resource_drift", "prior_state"})


@dataclass(frozen=True)
class Instance:
    """One object Terraform manages: ``address`` exactly as Terraform prints it.

    A deposed object shares the address of the current one it was replaced by; ``deposed`` is
    its key. ``attributes`` are the provider's values as the state holds them, sensitive ones in clear.
    """

    address: str
    type: str
    # Left out of the hash: address, type and deposed key already tell instances apart.
    attributes: Mapping[str, Any] = field(hash=False, repr=False)
    tainted: bool
    deposed: str | None


def read_state(path: Path) -> list[Instance]:
    """The managed instances in ``path`` (data sources are skipped), in the file's order.

    Raises :class:`BadInput` with one paragraph for a file that is missing, unreadable, not
    JSON, or not one of the two shapes this module reads.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _refuse(path, "does not exist.") from None
    except IsADirectoryError:
        raise _refuse(path, "is a directory, not a state file.") from None
    except PermissionError:
        raise _refuse(path, "cannot be read: permission denied.") from None
    except OSError as exc:
        raise _refuse(path, f"cannot be read: {exc.strerror or exc}.") from None
    return parse_state(data, path)


def parse_state(data: bytes, path: Path | str) -> list[Instance]:
    """:func:`read_state` on bytes already read; ``path`` only names the file in refusals."""
    if data.startswith(_ZIP_MAGIC):
        raise _refuse(
            path,
            "is a saved plan (the zip archive `terraform plan -out` writes), which describes "
            "changes Terraform intends to make, not the estate as it is.",
        )
    if not data.strip():
        raise _refuse(path, "is empty: the working directory has no state yet, or the command that wrote it failed.")
    try:
        # From bytes, json detects UTF-8, UTF-16 and UTF-32 with or without a byte order mark:
        # PowerShell's `>` writes UTF-16, so a state pulled on Windows is read as it is.
        document = json.loads(data)
    except UnicodeDecodeError:
        raise _refuse(path, "is not text (neither UTF-8 nor UTF-16).") from None
    except json.JSONDecodeError as exc:
        raise _refuse(path, f"is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}){_hint(exc)}.") from None
    if not isinstance(document, dict):
        raise _refuse(path, f"holds a JSON {_json_kind(document)}, not an object as a Terraform state is.")
    if "version" in document and ("resources" in document or "modules" in document):
        return list(_from_state_file(document, path))
    if "format_version" in document:
        return list(_from_show_json(document, path))
    raise _refuse(path, f"is {_what_else(document)}, not a Terraform state.")


def instance_address(module: str | None, resource_type: str, name: str, key: int | str | None) -> str:
    """The address Terraform prints for one instance: ``module.db.aws_db_instance.main``,
    ``aws_subnet.private[0]``, ``aws_s3_bucket.this["logs"]``."""
    prefix = f"{module}." if module else ""
    return f"{prefix}{resource_type}.{name}{_key_text(key)}"


def adoption_blocker(instance: Instance) -> str | None:
    """Why ``instance`` cannot be adopted as Terraform left it, or None when nothing stands in the way."""
    address = shlex.quote(instance.address)
    if instance.deposed is not None:
        return (
            f"{instance.address} (deposed object {instance.deposed}) is a leftover create_before_destroy "
            "object: Terraform created its replacement, could not destroy this one and will try again "
            "on its next apply; it is not the resource the configuration describes. Run `terraform apply` "
            "so Terraform destroys it, then pull the state again."
        )
    if instance.tainted:
        return (
            f"Terraform marked {instance.address} tainted: it plans to replace it; run `terraform apply` "
            f"or `terraform untaint {address}` first, then pull the state again."
        )
    return None


# --------------------------------------------------------------------------- the two shapes


def _from_state_file(document: Mapping[str, Any], path: Path | str) -> Iterator[Instance]:
    version = document.get("version")
    if version != _STATE_VERSION:
        raise _refuse(path, _version_problem(version))
    resources = _list(document, "resources", path, "the state")
    for position, resource in enumerate(resources):
        where = f"resources[{position}]"
        if not isinstance(resource, Mapping):
            raise _damaged(path, f"{where} is not an object")
        if resource.get("mode") != "managed":
            continue  # data sources are read-only views of things someone else manages
        resource_type, name = _text(resource, "type", path, where), _text(resource, "name", path, where)
        module = resource.get("module") or None
        for number, instance in enumerate(_list(resource, "instances", path, where)):
            if not isinstance(instance, Mapping):
                raise _damaged(path, f"{where}.instances[{number}] is not an object")
            key = _index_key(instance.get("index_key"), path, f"{where}.instances[{number}]")
            address = instance_address(module, resource_type, name, key)
            if "attributes" not in instance and "attributes_flat" in instance:
                raise _refuse(
                    path,
                    f"keeps {address} in the flat attribute format of Terraform 0.11, which only the "
                    "provider can read back: run `terraform apply -refresh-only` once so Terraform "
                    "rewrites it, then pull the state again.",
                )
            tainted = instance.get("status") == "tainted"
            yield _instance(address, resource_type, instance.get("attributes"), tainted, instance.get("deposed"), path)


def _from_show_json(document: Mapping[str, Any], path: Path | str) -> Iterator[Instance]:
    if _PLAN_KEYS & document.keys():
        raise _refuse(
            path,
            "is the JSON of a plan (`terraform show -json PLANFILE`), which describes changes Terraform "
            "intends to make, not the estate as it is.",
        )
    if "provider_schemas" in document:
        raise _refuse(path, "is provider schemas (`terraform providers schema -json`), not a state.")
    version = str(document.get("format_version"))
    if version.split(".")[0] != _SHOW_FORMAT_MAJOR:
        raise _refuse(
            path,
            f"is `terraform show -json` output of format_version {version}; cfncompiler reads format 1.x.",
        )
    values = document.get("values")
    if values is None:
        return  # Terraform prints only the format version for an empty state
    if not isinstance(values, Mapping) or not isinstance(values.get("root_module", {}), Mapping):
        raise _damaged(path, "values.root_module is not an object")
    yield from _module_instances(values.get("root_module", {}), path, "values.root_module")


def _module_instances(module: Mapping[str, Any], path: Path | str, where: str) -> Iterator[Instance]:
    for position, resource in enumerate(module.get("resources") or []):
        here = f"{where}.resources[{position}]"
        if not isinstance(resource, Mapping):
            raise _damaged(path, f"{here} is not an object")
        if resource.get("mode") != "managed":
            continue
        # Terraform prints the full address itself here, module path and instance key included.
        yield _instance(
            _text(resource, "address", path, here),
            _text(resource, "type", path, here),
            resource.get("values"),
            resource.get("tainted") is True,
            resource.get("deposed_key"),
            path,
        )
    for position, child in enumerate(module.get("child_modules") or []):
        here = f"{where}.child_modules[{position}]"
        if not isinstance(child, Mapping):
            raise _damaged(path, f"{here} is not an object")
        yield from _module_instances(child, path, here)


def _instance(
    address: str, resource_type: str, attributes: Any, tainted: bool, deposed: Any, path: Path | str
) -> Instance:
    # A deposed object's values can be absent from `terraform show -json`: none is an empty set.
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, Mapping):
        raise _damaged(path, f"the attributes of {address} are not an object")
    if deposed is not None and not isinstance(deposed, str):
        raise _damaged(path, f"the deposed key of {address} is {deposed!r}, not a string")
    return Instance(address, resource_type, attributes, tainted, deposed or None)


# --------------------------------------------------------------------------- addresses


def _key_text(key: int | str | None) -> str:
    if key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{_hcl_quoted(key)}]"


def _hcl_quoted(text: str) -> str:
    """``text`` quoted as Terraform quotes a for_each key (addrs.StringKey): HCL's string syntax.

    It agrees with JSON for ordinary keys; it differs in keeping printable non-ASCII as it is and
    doubling a ``$`` or ``%`` that opens a template sequence (``${`` becomes ``$${``).
    """
    escapes = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}
    out: list[str] = []
    for position, char in enumerate(text):
        if char in escapes:
            out.append(escapes[char])
        elif char in "$%" and text[position + 1 : position + 2] == "{":
            out.append(char * 2)
        elif not char.isprintable():
            # Python's notion of printable is Go's unicode.IsPrint: categories L, M, N, P, S and space.
            code = ord(char)
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _index_key(value: Any, path: Path | str, where: str) -> int | str | None:
    # bool is an int to Python, never an instance key to Terraform.
    if value is None or (isinstance(value, (int, str)) and not isinstance(value, bool)):
        return value
    raise _damaged(path, f"{where}.index_key is {value!r}; Terraform writes a number (count) or a string (for_each)")


# --------------------------------------------------------------------------- refusals


def _refuse(path: Path | str, problem: str) -> BadInput:
    return BadInput(f"{path} {problem} {HOW_TO_PRODUCE}")


def _damaged(path: Path | str, problem: str) -> BadInput:
    return _refuse(path, f"looks like a Terraform state but is damaged: {problem}.")


def _list(container: Mapping[str, Any], key: str, path: Path | str, where: str) -> list[Any]:
    value = container.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _damaged(path, f"{key} of {where} is not a list")
    return value


def _text(container: Mapping[str, Any], key: str, path: Path | str, where: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise _damaged(path, f"{where} has no {key}")
    return value


def _version_problem(version: Any) -> str:
    if isinstance(version, int) and not isinstance(version, bool) and version < _STATE_VERSION:
        return (
            f"is a version {version} state, written by Terraform 0.11 or earlier; cfncompiler reads "
            "version 4. Terraform 0.12 or later upgrades it: pull it with a current Terraform."
        )
    if isinstance(version, int) and not isinstance(version, bool):
        return (
            f"is a version {version} state, newer than the version 4 that Terraform 0.12 to 1.x write "
            "and cfncompiler reads; `terraform show -json` prints a format that stays stable."
        )
    return f"has state version {version!r}, which no Terraform writes; cfncompiler reads version 4."


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "boolean" if isinstance(value, bool) else "number"


def _what_else(document: Mapping[str, Any]) -> str:
    """What a JSON object that is no Terraform state most likely is, said for the refusal."""
    resources = document.get("Resources")
    if "AWSTemplateFormatVersion" in document or (
        isinstance(resources, Mapping) and any(isinstance(r, Mapping) and "Type" in r for r in resources.values())
    ):
        return "a CloudFormation template (cfncompiler compiles those; adopt needs Terraform's view of the estate)"
    if {"resource", "terraform", "provider", "module"} & document.keys():
        return "Terraform configuration in JSON syntax (what Terraform should build), not what it built"
    keys = ", ".join(sorted(document)[:5]) or "no keys at all"
    return f"a JSON object with {keys}"


def _hint(error: json.JSONDecodeError) -> str:
    """A guess at what a file that is not JSON is, for the mistakes that happen most."""
    if error.pos >= len(error.doc.rstrip()):
        return "; it stops in the middle, as a file does when the command writing it was interrupted"
    lines = [line.strip() for line in error.doc[:4096].lstrip("\ufeff").splitlines()]
    if any(line.startswith(("AWSTemplateFormatVersion:", "Resources:")) for line in lines):
        return "; it looks like a CloudFormation template in YAML, not a Terraform state"
    if any(line.startswith("# ") and line.rstrip().endswith(":") for line in lines):
        return "; it looks like the text `terraform show` prints without -json"
    return ""
