"""Fixtures for the layer tests: the production spec compiled once per session (see tests/spec_edit.py)."""

from __future__ import annotations

import pytest

from tests.spec_edit import Compiled, TemplateDict, production


@pytest.fixture(scope="session")
def compiled() -> Compiled:
    return production()


@pytest.fixture(scope="session")
def compiled_platform(compiled: Compiled) -> TemplateDict:
    return compiled.templates["platform"]


@pytest.fixture(scope="session")
def compiled_observability(compiled: Compiled) -> TemplateDict:
    return compiled.templates["observability"]
