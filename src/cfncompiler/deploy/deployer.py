"""Orchestration: diff, deploy, status and destroy over the layers, one stack at a time, in dependency order."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from cfncompiler.cost.estimate import compare_layer
from cfncompiler.cost.pricing import price_template
from cfncompiler.cost.snapshot import SNAPSHOT_PATH, RegionPrices, load_snapshot
from cfncompiler.deploy import changeset, guard, parameters, plan, preflight, records, stacks, uploads
from cfncompiler.deploy.alarms import AlarmCount, count_alarms
from cfncompiler.deploy.diff import BLOCKED, CHANGES, NEW, NO_CHANGES, UP_TO_DATE, LayerDiff, Row, rows
from cfncompiler.deploy.events import DEFAULT_POLL_SECONDS
from cfncompiler.deploy.operations import RECOVERY, OnPoll, StackOperations, failure
from cfncompiler.deploy.project import Project, Target
from cfncompiler.deploy.report import Reporter
from cfncompiler.deploy.session import ACCESS_DENIED, Aws
from cfncompiler.deploy.stacks import Deployed
from cfncompiler.deploy.staging import TEMPLATE_BODY_LIMIT, Staging, upload_files
from cfncompiler.errors import PreflightFailed, PricesUnavailable, Refused, StoppedWatching
from cfncompiler.spec.load import load_spec
from cfncompiler.spec.model import Spec
from cfncompiler.templates.assets import AssetFile
from cfncompiler.templates.parse import parse_template

UP_TO_DATE_STATE = "up to date"
ADOPTED_STATE = "adopted"
STALE_STATE = "stale"
NOT_DEPLOYED_STATE = "not deployed"
STRANDED_STATE = "stranded"


@dataclass(frozen=True)
class Options:
    allow_replace: frozenset[str] = frozenset()
    replace_failed: bool = False
    continue_rollback: bool = False
    skip_preflight: bool = False


@dataclass(frozen=True)
class LayerStatus:
    layer: str
    stack_name: str
    stack_status: str
    last_change: datetime | None
    state: str
    reasons: Sequence[str] = ()
    upstream_changed: Sequence[str] = ()
    alarms: AlarmCount | None = None


@dataclass(frozen=True)
class _Prepared:
    """A layer ready to compare or send: its template, the Parameters to send, and what is deployed."""

    target: Target
    sent: dict[str, str]
    wanted: dict[str, str]
    current: Deployed | None
    deployed_document: dict[str, Any] | None = None
    files: list[tuple[uploads.Asset, list[AssetFile]]] = field(default_factory=list)

    @property
    def up_to_date(self) -> bool:
        return (
            self.current is not None
            and self.deployed_document == self.target.document
            and dict(self.current.parameters) == self.wanted
        )


class Deployer:
    def __init__(
        self, aws: Aws, project: Project, reporter: Reporter, *, poll_seconds: float = DEFAULT_POLL_SECONDS
    ) -> None:
        self.aws = aws
        self.cf = aws.cloudformation
        self.project = project
        self.reporter = reporter
        self.poll_seconds = poll_seconds
        self.staging = Staging(aws.s3, aws.sts, aws.region)
        self.ops = StackOperations(self.cf, reporter, poll_seconds)
        # Logical ids some change set removed or replaced, to flag --allow-replace names that matched nothing.
        self._used_allowances: set[str] = set()
        # The price snapshot the diff's cost line reads (`diff --prices` names another).
        self.snapshot_path = SNAPSHOT_PATH
        self._region_prices: RegionPrices | None = None

    @cached_property
    def spec(self) -> Spec:
        """The spec itself, for what the templates do not say (which secrets an operator fills, the hosts):
        the one the project was opened with, not a second read of the file."""
        return self.project.spec if self.project.spec is not None else load_spec(self.project.spec_path)

    # ------------------------------------------------------------------ reading

    def describe(self, layer: str) -> Deployed | None:
        return stacks.describe(self.cf, self.project.stack_name(layer))

    def upstream_outputs(self, layer: str) -> dict[str, str]:
        """The Outputs of every layer above ``layer``; each must exist and be in a stable state."""
        merged: dict[str, str] = {}
        for up in plan.above(layer):
            deployed = self.describe(up)
            name = self.project.stack_name(up)
            if deployed is None:
                raise Refused(
                    f"{layer} reads its Parameters from the {up} layer, whose stack {name} does not exist. "
                    f"Deploy it first: {self.project.command(f'deploy --layer {up}')}"
                )
            if not deployed.healthy:
                advice = RECOVERY.get(deployed.status, "wait for it to finish and try again.")
                raise Refused(f"{layer} cannot be deployed while {name} is {deployed.status}: {advice}")
            merged.update(deployed.outputs)
        return merged

    def _prepare(self, layer: str, current: Deployed | None, outputs: Mapping[str, str]) -> _Prepared:
        target = self.project.target(layer)
        files = [
            (asset, uploads.files_of(asset, target.path))
            for asset in uploads.declared(target.document, self.project.spec_path.parent)
        ]
        sent = parameters.fill(layer, target.declared_parameters, outputs)
        wanted = parameters.effective(target.declared_parameters, sent)
        deployed = None
        if current is not None and current.status != stacks.REVIEW:
            deployed = parse_template(stacks.deployed_template(self.cf, current.stack_id))
        return _Prepared(target, sent, wanted, current, deployed, files)

    # ------------------------------------------------------------------ diff

    def diff(self, layers: Sequence[str]) -> list[LayerDiff]:
        return [self._diff_layer(layer) for layer in plan.select(layers)]

    def _diff_layer(self, layer: str) -> LayerDiff:
        name = self.project.stack_name(layer)
        try:
            outputs = self.upstream_outputs(layer)
        except Refused as exc:
            return LayerDiff(layer, name, BLOCKED, note=str(exc))
        current = self.describe(layer)
        if current is not None and current.status != stacks.REVIEW and not current.healthy:
            return LayerDiff(layer, name, current.status, note=RECOVERY.get(current.status, "operation in progress"))
        prepared = self._prepare(layer, current, outputs)
        if prepared.up_to_date:
            return self._with_cost(LayerDiff(layer, name, UP_TO_DATE), prepared)
        created = self._create_change_set(prepared)
        self._discard(created, new_stack=prepared.deployed_document is None)
        return self._with_cost(self._layer_diff(prepared, created), prepared)

    def _with_cost(self, shown: LayerDiff, prepared: _Prepared) -> LayerDiff:
        """The monthly cost of the deployed template, of the new one, and the difference (both priced
        with the spec's usage assumptions); a region the snapshot lacks is said, not fatal to the diff."""
        try:
            prices = self._prices()
        except PricesUnavailable as exc:
            return replace(shown, cost_note=str(exc))
        layer, usage = prepared.target.layer, self.project.usage
        new = price_template(layer, prepared.target.document, prices, usage)
        old = price_template(layer, prepared.deployed_document, prices, usage) if prepared.deployed_document else None
        return replace(shown, cost=compare_layer(layer, old, new))

    def _prices(self) -> RegionPrices:
        if self._region_prices is None:
            self._region_prices = load_snapshot(self.snapshot_path).region(self.project.region)
        return self._region_prices

    def _layer_diff(self, prepared: _Prepared, created: changeset.ChangeSet) -> LayerDiff:
        target = prepared.target
        # A new stack's parameters are all new: the diff lists changes to a deployed stack's only.
        deployed = prepared.current.parameters if prepared.current and prepared.deployed_document else None
        params = parameters.changes(deployed, prepared.wanted) if deployed is not None else []
        if created.empty:
            return LayerDiff(target.layer, target.stack_name, NO_CHANGES, parameters=params)
        changed = rows(created.changes)
        return LayerDiff(
            target.layer,
            target.stack_name,
            NEW if prepared.deployed_document is None else CHANGES,
            rows=changed,
            parameters=params,
            refused=tuple(r.logical_id for r in guard.at_risk(changed, ())),
        )

    def _create_change_set(self, prepared: _Prepared) -> changeset.ChangeSet:
        target = prepared.target
        staged = target.size > TEMPLATE_BODY_LIMIT
        url = self.staging.template_url(target.stack_name, target.body) if staged else None
        request = changeset.Request(
            stack_name=target.stack_name,
            create=prepared.deployed_document is None,
            parameters=prepared.sent,
            capabilities=target.capabilities,
            tags=target.tags,
            body=None if staged else target.body,
            url=url,
        )
        return changeset.create(self.cf, request, poll_seconds=self.poll_seconds)

    def _discard(self, created: changeset.ChangeSet, *, new_stack: bool) -> None:
        """Leave no trace of a change set that will not run (nor of the empty stack a CREATE one made)."""
        if not created.empty:
            changeset.delete(self.cf, created.arn)
        if new_stack:
            self.cf.delete_stack(StackName=created.stack_id)
            self.cf.get_waiter("stack_delete_complete").wait(
                StackName=created.stack_id, WaiterConfig={"Delay": self.poll_seconds, "MaxAttempts": 120}
            )

    # ------------------------------------------------------------------ deploy

    def deploy(self, layers: Sequence[str], options: Options = Options()) -> dict[str, str]:
        """Deploy each layer in order; return what happened to each (up to date, no changes, deployed)."""
        selected = plan.select(layers)
        outcomes = {layer: self._deploy_layer(layer, options) for layer in selected}
        self._warn_unused(options.allow_replace)
        return outcomes

    def _deploy_layer(self, layer: str, options: Options) -> str:
        outputs = self.upstream_outputs(layer)
        current = self.ops.settle(
            layer,
            self.describe(layer),
            replace_failed=options.replace_failed,
            continue_rollback=options.continue_rollback,
        )
        prepared = self._prepare(layer, current, outputs)
        if prepared.up_to_date and prepared.current is not None:
            self.reporter.note(layer, "up to date (deployed template and parameters match; no change set created)")
            restored = guard.ensure_protected(
                self.cf,
                prepared.target.stack_name,
                guard.stateful_ids(prepared.target.document),
                terminates=prepared.current.termination_protection,
            )
            if restored:
                self.reporter.note(layer, f"restored the {' and '.join(restored)}")
            return UP_TO_DATE
        self._preflight(prepared, outputs, options)
        self.reporter.note(layer, f"creating a change set for {prepared.target.stack_name}")
        created = self._create_change_set(prepared)
        if created.empty:
            self.reporter.note(layer, "no changes")
            return NO_CHANGES
        layer_diff = self._layer_diff(prepared, created)
        self.reporter.diff(layer_diff)
        self._used_allowances.update(r.logical_id for r in layer_diff.rows if r.loses_data)
        new_stack = prepared.deployed_document is None
        try:
            guard.check(prepared.target.stack_name, layer_diff.rows, options.allow_replace)
            if not self.reporter.confirm(layer_diff, f"Execute this change set on {prepared.target.stack_name}?"):
                raise Refused(
                    f"Not confirmed: the change set was deleted and {prepared.target.stack_name} left as it was."
                )
        except (Refused, KeyboardInterrupt):
            # Declined, refused or Ctrl-C at the question: no AVAILABLE change set is left behind.
            self._discard(created, new_stack=new_stack)
            raise
        self._upload(prepared)
        return self._execute(prepared, created, options.allow_replace)

    def _preflight(self, prepared: _Prepared, outputs: Mapping[str, str], options: Options) -> None:
        """Refuse, before any change set, a layer that would fail or whose services would crash-loop."""
        layer = prepared.target.layer
        if options.skip_preflight:
            self.reporter.note(layer, "preflight skipped (--skip-preflight)")
            return
        findings = preflight.check(self.aws, self.spec, layer, prepared.target.document, outputs)
        for skipped in (f for f in findings if isinstance(f, preflight.Skipped)):
            self.reporter.note(layer, f"preflight: {skipped.text}")
        problems = [f.text for f in findings if isinstance(f, preflight.Problem)]
        if problems:
            raise PreflightFailed(layer, prepared.target.stack_name, problems)

    def _certificate_watch(self, prepared: _Prepared) -> OnPoll | None:
        """Without a DNS zone, a layer that creates a certificate shows its validation records while it waits."""
        resources = (prepared.target.document.get("Resources") or {}).values()
        # The template first: a layer without a certificate never needs the spec read.
        if not any(r.get("Type") == records.CERTIFICATE_TYPE for r in resources) or self.spec.platform.dns is not None:
            return None
        layer = prepared.target.layer

        def show(found: records.Validation) -> None:
            for line in records.validation_lines(found):
                self.reporter.note(layer, line)

        return records.CertificateWatch(self.aws.client("acm"), show, lambda text: self.reporter.note(layer, text))

    def _show_host_records(self, layer: str, outputs: Mapping[str, str]) -> None:
        """Without a DNS zone, after a change to the layer that holds the ALB: the records that point each host at
        it (once per change, not at every no-op deploy; `status` shows them whenever asked)."""
        alb = records.alb_dns_name(outputs)
        if alb is None or self.spec.platform.dns is not None:
            return
        for line in records.host_lines(records.host_records(self.spec, alb)):
            self.reporter.note(layer, line)

    def _warn_unused(self, allowed: Collection[str]) -> None:
        for logical_id in sorted(set(allowed) - self._used_allowances):
            self.reporter.note("-", f"--allow-replace {logical_id}: no change set removes or replaces it; ignored")

    def _upload(self, prepared: _Prepared) -> None:
        for asset, files in prepared.files:
            bucket = uploads.bucket_of(asset, prepared.wanted, prepared.target.path)
            uploaded = upload_files(self.aws.s3, bucket, asset.prefix, files)
            self.reporter.note(
                prepared.target.layer,
                f"asset {asset.name}: {len(uploaded)} of {len(files)} file(s) uploaded to s3://{bucket}/{asset.prefix}",
            )

    def _execute(self, prepared: _Prepared, created: changeset.ChangeSet, allowed: Collection[str]) -> str:
        target = prepared.target
        before = guard.stateful_ids(prepared.deployed_document or {})
        if prepared.deployed_document is not None:
            # For an allowed replacement this is the temporary policy: the named resources only are let go.
            guard.set_policy(self.cf, target.stack_name, set(before) - set(allowed))
        waiter = "stack_create_complete" if prepared.deployed_document is None else "stack_update_complete"
        try:
            ok, history = self.ops.run(
                target.layer,
                created.stack_id,
                waiter,
                "deploy",
                lambda: changeset.execute(self.cf, created),
                self._certificate_watch(prepared),
            )
        except StoppedWatching as stopped:
            lifted = sorted(set(before) & set(allowed))
            if not lifted:
                raise
            raise StoppedWatching(
                f"{stopped} The stack policy still lets {', '.join(lifted)} be replaced or deleted; "
                "the next deploy of this layer protects them again, changed or not."
            ) from None
        final = stacks.describe(self.cf, created.stack_id)
        status = final.status if final else "DELETE_COMPLETE"
        if not ok or status not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            if prepared.deployed_document is not None:
                guard.set_policy(self.cf, target.stack_name, before)
            raise failure(target.stack_name, status, history)
        guard.set_policy(self.cf, target.stack_name, guard.stateful_ids(target.document))
        if final is not None and not final.termination_protection:
            guard.protect(self.cf, target.stack_name)
        self.reporter.note(target.layer, f"{status}")
        self._show_host_records(target.layer, final.outputs if final else {})
        return status

    # ------------------------------------------------------------------ status

    def status(self, stale: Collection[str] = ()) -> list[LayerStatus]:
        """One row per layer; ``stale`` names the template files the spec no longer compiles to."""
        return [self._layer_status(layer, stale) for layer in plan.select(())]

    def _layer_status(self, layer: str, stale: Collection[str] = ()) -> LayerStatus:
        name = self.project.stack_name(layer)
        current = self.describe(layer)
        if current is None:
            return LayerStatus(layer, name, "-", None, NOT_DEPLOYED_STATE)
        if current.status == stacks.REVIEW:
            reason = "a first change set failed and left an empty stack; the next deploy deletes it and starts again"
            return LayerStatus(layer, name, current.status, current.last_change, STRANDED_STATE, [reason])
        target = self.project.target(layer)
        reasons: list[str] = []
        if target.path.name in stale:
            reasons.append("spec changed since the last synth")
        if parse_template(stacks.deployed_template(self.cf, current.stack_id)) != target.document:
            reasons.append(f"template differs from {target.path}")
        outputs = {k: v for up in plan.above(layer) if (d := self.describe(up)) for k, v in d.outputs.items()}
        declared = target.declared_parameters
        upstream_changed = [n for n in declared if n in outputs and current.parameters.get(n) != outputs[n]]
        if upstream_changed:
            reasons.append("upstream outputs changed: " + ", ".join(upstream_changed))
        state = STALE_STATE if reasons else UP_TO_DATE_STATE
        if current.status == "IMPORT_COMPLETE":
            # The import brought the resources in as they are; the template's settings arrive with a deploy.
            state = ADOPTED_STATE
            reasons.insert(
                0, f"imported from Terraform, not yet converged: run {self.project.command(f'deploy --layer {layer}')}"
            )
        if not current.healthy:
            reasons.append(RECOVERY.get(current.status, "operation in progress"))
        alarms = (
            count_alarms(self.cf, self.aws.client("cloudwatch"), current.stack_id)
            if self.aws.has_client("cloudwatch")
            else None
        )
        return LayerStatus(layer, name, current.status, current.last_change, state, reasons, upstream_changed, alarms)

    def records_to_create(self) -> tuple[list[str], list[str]]:
        """Without a DNS zone: the lines saying which DNS records are still to be created (pending certificates'
        validation records, the hosts' records), and notes on what could not be read."""
        if self.spec.platform.dns is not None:
            return [], []
        lines: list[str] = []
        notes: list[str] = []
        for layer in plan.select(()):
            current = self.describe(layer)
            alb = records.alb_dns_name(current.outputs) if current is not None else None
            if current is None or alb is None:
                continue
            try:
                for arn in records.certificate_arns(self.cf, current.stack_id):
                    found = records.validation(self.aws.client("acm"), arn)
                    if found.pending and found.records:
                        lines += records.validation_lines(found)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ACCESS_DENIED:
                    raise
                notes.append(f"the certificate's validation records were not read: AWS denied {exc.operation_name}")
            lines += records.host_lines(records.host_records(self.spec, alb))
        return lines, notes

    # ------------------------------------------------------------------ destroy

    def destroy(self, layers: Sequence[str]) -> None:
        selected = plan.select(layers)
        for layer in selected:
            for lower in plan.below(layer):
                if lower not in selected and self.describe(lower) is not None:
                    raise Refused(
                        f"Refusing to destroy {layer}: the {lower} layer ({self.project.stack_name(lower)}) still "
                        f"exists and its Parameters come from {layer}'s Outputs. Destroy {lower} first, or both "
                        f"together (--layer {lower} --layer {layer})."
                    )
        for layer in reversed(selected):
            self._destroy_layer(layer)

    def _destroy_layer(self, layer: str) -> None:
        current = self.describe(layer)
        if current is not None and current.in_progress:
            current = self.ops.wait_out(layer, current)
        if current is None:
            self.reporter.note(layer, "not deployed; nothing to destroy")
            return
        resources = self.cf.get_paginator("list_stack_resources").paginate(StackName=current.stack_id)
        doomed = [
            Row("Remove", r["LogicalResourceId"], r["ResourceType"], "", ())
            for page in resources
            for r in page.get("StackResourceSummaries", [])
        ]
        preview = LayerDiff(
            layer,
            current.name,
            "to be destroyed",
            rows=doomed,
            note="resources with DeletionPolicy Retain or Snapshot are kept",
        )
        self.reporter.diff(preview)
        if not self.reporter.confirm(preview, f"Delete stack {current.name}?"):
            raise Refused(f"Not confirmed: {current.name} was left as it was.")
        self.ops.delete(layer, current)
        self.reporter.note(layer, f"{current.name} deleted")
