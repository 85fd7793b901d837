"""The cfn-lint gate: zero errors and zero warnings.

cfn-lint costs about 1.3 s to import and load its rules and most of a second
per template, so the gate:
- caches each template's result under a key made of its exact text, the
  cfn-lint version and the region: an unchanged template is never linted
  twice, and any change to any of the three relints (the cache cannot hide a
  finding);
- lints the templates that missed the cache in parallel worker processes.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

from cfncompiler.errors import Finding

CACHE_ENV = "CFNCOMPILER_CACHE_DIR"
MAX_WORKERS = 4


def version() -> str:
    from importlib.metadata import version as installed

    return installed("cfn-lint")


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cfncompiler" / "lint"


class Gate:
    """The gate over a set of templates: ``lint`` returns every finding, in file order."""

    def __init__(self, *, workers: int | None = None, cache: Path | None = None) -> None:
        self.cache = cache if cache is not None else cache_dir()
        self.workers = workers or min(MAX_WORKERS, os.cpu_count() or 1)

    def lint(self, templates: list[tuple[str, str]], region: str) -> list[Finding]:
        """Findings for (file, text) pairs; cached results are reused, the rest linted in parallel."""
        version_key = f"{version()}\0{region}\0"
        keys = [hashlib.sha256((version_key + text).encode("utf-8")).hexdigest() for _, text in templates]
        results: dict[int, list[dict[str, str]]] = {}
        misses = []
        for index, key in enumerate(keys):
            cached = self._read(key)
            if cached is None:
                misses.append(index)
            else:
                results[index] = cached
        texts = [(templates[i][1], region) for i in misses]
        for index, found in zip(misses, self._lint_all(texts), strict=True):
            results[index] = found
            self._write(keys[index], found)
        return [Finding(file=templates[i][0], **entry) for i in range(len(templates)) for entry in results[i]]

    def _lint_all(self, texts: list[tuple[str, str]]) -> list[list[dict[str, str]]]:
        workers = min(self.workers, len(texts))
        if workers <= 1:
            return [_lint_text(item) for item in texts]
        # fork: workers inherit what is imported; each loads cfn-lint's rules once, in parallel.
        with multiprocessing.get_context("fork").Pool(workers, initializer=load_rules) as pool:
            return pool.map(_lint_text, texts, chunksize=1)

    def _read(self, key: str) -> list[dict[str, str]] | None:
        try:
            data = json.loads((self.cache / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, list) else None

    def _write(self, key: str, findings: list[dict[str, str]]) -> None:
        # A cache that cannot be written only costs time; it must never fail the gate.
        try:
            self.cache.mkdir(parents=True, exist_ok=True)
            temp = self.cache / f".{key}.{os.getpid()}.tmp"
            temp.write_text(json.dumps(findings), encoding="utf-8")
            os.replace(temp, self.cache / f"{key}.json")
        except OSError:
            pass


_RULES: Any = None


def load_rules() -> None:
    """Load cfn-lint's rules into this process once; lint workers forked afterwards inherit them."""
    global _RULES
    if _RULES is None:
        from cfnlint.core import get_rules

        _RULES = get_rules([], [], [])


def _lint_text(item: tuple[str, str]) -> list[dict[str, str]]:
    from cfnlint.api import lint

    text, region = item
    load_rules()
    matches = lint(text, rules=_RULES, regions=[region])
    return [{"rule": m.rule.id, "path": _path(m), "message": m.message} for m in matches]


def _path(match: Any) -> str:
    return "/".join(str(part) for part in (match.path or [])) or f"line {match.linenumber}"
