"""Drift: what changed outside CloudFormation since the last deploy, one row per changed property.

CloudFormation's own drift detection does the comparing. It is started on every selected
layer first (it runs on CloudFormation's side, so the layers are checked at the same time),
then each is waited for with a botocore waiter and its per-resource results are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from botocore.exceptions import ClientError, WaiterError
from botocore.paginate import Paginator
from botocore.waiter import Waiter, WaiterModel, create_waiter_with_client
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cfncompiler.deploy import plan, stacks
from cfncompiler.deploy.events import DEFAULT_POLL_SECONDS
from cfncompiler.deploy.project import Project
from cfncompiler.deploy.session import ACCESS_DENIED
from cfncompiler.errors import AwsUnavailable, CfncompilerError, Drifted, StackFailed

# Layer states a drift report can give.
IN_SYNC = "in sync"
DRIFTED = "drifted"
NOT_DEPLOYED = "not deployed"
NOT_CHECKED = "not checked"
FAILED = "detection failed"

# Exit code when every layer could be checked and at least one has drifted: apart from 1, so a
# scheduled check can tell "someone changed something" from "the check itself did not work".


# Stack states CloudFormation runs drift detection in (it refuses stacks being changed).
DETECTABLE = stacks.HEALTHY | {"UPDATE_ROLLBACK_FAILED"}

# Detection takes seconds to a few minutes; this is many times the slowest seen.
MAX_WAIT_SECONDS = 30 * 60

_DRIFTED_RESOURCE = frozenset({"MODIFIED", "DELETED"})
# NOT_CHECKED (a type drift detection does not support), UNKNOWN and UNSUPPORTED are the rest.
_CHECKED_RESOURCE = _DRIFTED_RESOURCE | {"IN_SYNC"}

_STATE_STYLE = {IN_SYNC: "green", DRIFTED: "bold red", FAILED: "red", NOT_CHECKED: "yellow", NOT_DEPLOYED: "dim"}

# botocore ships no waiter for drift detection; this one is written as botocore's own are.
_WAITER_NAME = "StackDriftDetectionComplete"
_WAITER_MODEL = WaiterModel(
    {
        "version": 2,
        "waiters": {
            _WAITER_NAME: {
                "operation": "DescribeStackDriftDetectionStatus",
                "delay": DEFAULT_POLL_SECONDS,
                "maxAttempts": 360,
                "acceptors": [
                    {
                        "state": "success",
                        "matcher": "path",
                        "argument": "DetectionStatus",
                        "expected": "DETECTION_COMPLETE",
                    },
                    {
                        "state": "failure",
                        "matcher": "path",
                        "argument": "DetectionStatus",
                        "expected": "DETECTION_FAILED",
                    },
                ],
            }
        },
    }
)
# Nor a paginator for DescribeStackResourceDrifts, which pages by NextToken like the others.
_PAGINATION = {
    "input_token": "NextToken",
    "output_token": "NextToken",
    "limit_key": "MaxResults",
    "result_key": "StackResourceDrifts",
}

_PERMISSIONS = (
    "Drift detection needs cloudformation:DetectStackDrift, DescribeStackDriftDetectionStatus and "
    "DescribeStackResourceDrifts, and CloudFormation reads every resource in the stack with the caller's "
    "own permissions, so the role also needs read access to each resource type (the ReadOnlyAccess managed "
    "policy covers both). `aws sts get-caller-identity` shows which identity is in use."
)


class Progress(Protocol):
    """What the detector tells whoever runs it while it works (the deploy reporter is one)."""

    def note(self, layer: str, message: str) -> None: ...

    def waiting(self, layer: str, doing: str) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class DriftRow:
    """One drifted property, or one deleted resource (then the property fields are None)."""

    logical_id: str
    resource_type: str
    physical_id: str
    # MODIFIED or DELETED.
    status: str
    # A JSON-pointer-like path into the resource's properties, e.g. "/RetentionInDays" or "/Tags/0/Value".
    property_path: str | None
    expected: str | None
    actual: str | None
    # NOT_EQUAL, ADD (a list item added) or REMOVE (a property or list item removed).
    difference: str | None


@dataclass(frozen=True)
class LayerDrift:
    layer: str
    stack_name: str
    state: str
    rows: Sequence[DriftRow] = ()
    checked: int = 0
    not_checked: int = 0
    note: str = ""


@dataclass(frozen=True)
class _Started:
    stack_name: str
    detection_id: str


def rows(drifts: Iterable[Mapping[str, Any]]) -> list[DriftRow]:
    """The drifted resources of a DescribeStackResourceDrifts answer, one row per changed property."""
    found: list[DriftRow] = []
    for drift in drifts:
        status = drift["StackResourceDriftStatus"]
        if status not in _DRIFTED_RESOURCE:
            continue
        resource = (drift["LogicalResourceId"], drift["ResourceType"], drift.get("PhysicalResourceId", ""), status)
        differences = drift.get("PropertyDifferences") or []
        found += [
            DriftRow(*resource, d["PropertyPath"], d.get("ExpectedValue"), d.get("ActualValue"), d["DifferenceType"])
            for d in differences
        ]
        if not differences:
            found.append(DriftRow(*resource, None, None, None, None))
    return sorted(found, key=lambda r: (r.logical_id, r.property_path or ""))


def _drift_waiter(cloudformation: Any) -> Waiter:
    return create_waiter_with_client(_WAITER_NAME, _WAITER_MODEL, cloudformation)


@contextmanager
def _denial_explained() -> Iterator[None]:
    """Access denied to a drift call is a paragraph naming the permissions drift detection needs."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") not in ACCESS_DENIED:
            raise
        raise AwsUnavailable(f"AWS denied {exc.operation_name}: {error.get('Message')}. {_PERMISSIONS}") from None


class DriftDetector:
    def __init__(
        self, cloudformation: Any, project: Project, progress: Progress, *, poll_seconds: float = DEFAULT_POLL_SECONDS
    ) -> None:
        self.cf = cloudformation
        self.project = project
        self.progress = progress
        self.poll_seconds = poll_seconds

    def detect(self, layers: Sequence[str]) -> list[LayerDrift]:
        selected = plan.select(layers)
        started = {layer: self._start(layer) for layer in selected}
        return [self._finish(layer, started[layer]) for layer in selected]

    def _start(self, layer: str) -> _Started | LayerDrift:
        name = self.project.stack_name(layer)
        current = stacks.describe(self.cf, name)
        if current is None or current.status == stacks.REVIEW:
            return LayerDrift(layer, name, NOT_DEPLOYED)
        if current.status not in DETECTABLE:
            note = f"{name} is {current.status}; CloudFormation detects drift only on a stack at rest"
            return LayerDrift(layer, name, NOT_CHECKED, note=note)
        self.progress.note(layer, f"detecting drift on {name}")
        with _denial_explained():
            detection = self.cf.detect_stack_drift(StackName=current.stack_id)
        return _Started(name, detection["StackDriftDetectionId"])

    def _finish(self, layer: str, started: _Started | LayerDrift) -> LayerDrift:
        if isinstance(started, LayerDrift):
            return started
        with self.progress.waiting(layer, "drift detection"):
            failure = self._wait(started)
        drifts = self._resource_drifts(started.stack_name)
        found = rows(drifts)
        checked = sum(d["StackResourceDriftStatus"] in _CHECKED_RESOURCE for d in drifts)
        state = FAILED if failure is not None else (DRIFTED if found else IN_SYNC)
        return LayerDrift(layer, started.stack_name, state, found, checked, len(drifts) - checked, failure or "")

    def _wait(self, started: _Started) -> str | None:
        """Wait for the detection to end: None when it completed, CloudFormation's reason when it failed."""
        attempts = max(1, int(MAX_WAIT_SECONDS / max(self.poll_seconds, 1)))
        try:
            _drift_waiter(self.cf).wait(
                StackDriftDetectionId=started.detection_id,
                WaiterConfig={"Delay": self.poll_seconds, "MaxAttempts": attempts},
            )
        except WaiterError as exc:
            last: dict[str, Any] = exc.last_response or {}
            if "Error" in last:
                # The waiter reports an API error as its own; give it back as one, so it is explained as one.
                with _denial_explained():
                    raise ClientError(last, "DescribeStackDriftDetectionStatus") from None
            if last.get("DetectionStatus") == "DETECTION_FAILED":
                return str(last.get("DetectionStatusReason") or "CloudFormation gave no reason")
            raise StackFailed(
                f"Drift detection on {started.stack_name} did not finish within {MAX_WAIT_SECONDS // 60} minutes; "
                "CloudFormation may still finish it (see the stack's Drifts tab in the console)."
            ) from None
        return None

    def _resource_drifts(self, stack_name: str) -> list[Mapping[str, Any]]:
        """Every resource's result from the stack's latest detection (failed ones keep what was checked)."""
        operation = self.cf.meta.service_model.operation_model("DescribeStackResourceDrifts")
        pages = Paginator(self.cf.describe_stack_resource_drifts, _PAGINATION, operation).paginate(StackName=stack_name)
        with _denial_explained():
            return [drift for page in pages for drift in page.get("StackResourceDrifts", [])]


# --------------------------------------------------------------------------- the report


def conclude(results: Sequence[LayerDrift]) -> CfncompilerError | None:
    """How the command ends: a failure wins over drift, drift over being in sync (None)."""
    unchecked = [r for r in results if r.state in (FAILED, NOT_CHECKED)]
    if unchecked:
        reasons = "; ".join(f"{r.stack_name}: {r.note}" for r in unchecked)
        return StackFailed(f"drift could not be checked on every layer. {reasons}")
    drifted = [r.layer for r in results if r.state == DRIFTED]
    if drifted:
        return Drifted(
            f"Drifted: {', '.join(drifted)}. A deploy of an unchanged template does not put the expected "
            "values back: change them back by hand, or change the spec to match and deploy."
        )
    return None


def to_json(results: Sequence[LayerDrift]) -> str:
    def layer(d: LayerDrift) -> dict[str, Any]:
        return {
            "layer": d.layer,
            "stack": d.stack_name,
            "state": d.state,
            "note": d.note,
            "checked": d.checked,
            "not_checked": d.not_checked,
            "drifts": [asdict(r) for r in d.rows],
        }

    return json.dumps({"layers": [layer(d) for d in results]}, indent=2)


def table(result: LayerDrift, *, terminal: bool) -> Table:
    """One row per drifted property; boxed and coloured on a terminal, bare aligned columns when piped."""
    out = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False)
    for column in ("Logical ID", "Type", "Drift", "Property", "Expected", "Actual"):
        out.add_column(column, overflow="fold")
    for row in result.rows:
        out.add_row(
            Text(row.logical_id),
            Text(row.resource_type),
            Text(row.status, style="red" if row.status == "DELETED" else "yellow"),
            Text(row.property_path or "-"),
            Text("-" if row.expected is None else row.expected, style="green"),
            Text("-" if row.actual is None else row.actual, style="red"),
        )
    return out


def _summary(result: LayerDrift) -> str:
    if result.state in (NOT_DEPLOYED, NOT_CHECKED):
        return f" ({result.note})" if result.note else ""
    counts = f"{result.checked} resource(s) checked, {result.not_checked} not checked"
    return f" ({result.note}; {counts})" if result.note else f" ({counts})"


def render(console: Console, result: LayerDrift) -> None:
    console.print(
        Text.assemble(
            (f"{result.layer}: {result.stack_name}: ", "bold"),
            (result.state, _STATE_STYLE.get(result.state, "")),
            _summary(result),
        )
    )
    if result.rows:
        console.print(table(result, terminal=console.is_terminal))
