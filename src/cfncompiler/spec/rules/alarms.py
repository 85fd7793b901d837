"""Rules of the alarms section: every override names an alarm and a resource this spec has."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator

from cfncompiler.spec.model import ALARM_DEFAULTS, INSTANCE_MEMORY_GIB, AlarmTuning, Spec
from cfncompiler.spec.rules.base import SPEC, Loc, Violation, rule


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _absent(spec: Spec) -> dict[tuple[str, str], str]:
    """(kind, alarm) -> why this spec has no such alarm, for the alarms a spec can lack."""
    absent: dict[tuple[str, str], str] = {}
    if spec.data.cache.replicas == 0:
        absent["cache", "replication_lag"] = "data.cache.replicas is 0: there is no replica to lag"
    fs = spec.data.file_system
    if fs.throughput_mode != "bursting":
        absent["file_system", "burst_credits"] = (
            f"the file system runs in {fs.throughput_mode} throughput mode, without credits"
        )
    if fs.performance_mode != "general-purpose":
        absent["file_system", "io_limit"] = (
            f"the file system runs in {fs.performance_mode} mode, which has no I/O limit metric"
        )
    if spec.network.nat_gateway is None:
        for alarm in ALARM_DEFAULTS["nat_gateway"]:
            absent["nat_gateway", alarm] = "the network has no NAT gateway"
    return absent


@rule("S501", "every alarm override names a service, and an alarm, that this spec has", SPEC)
def alarm_overrides_exist(spec: Spec) -> Iterator[Violation]:
    """An override of nothing is a typo or a leftover: it would tune no alarm and say nothing."""
    absent = _absent(spec)
    for kind in ALARM_DEFAULTS:
        section = getattr(spec.alarms, kind, None)
        for alarm in ALARM_DEFAULTS[kind]:
            if section is not None and getattr(section, alarm, None) is not None and (kind, alarm) in absent:
                yield ("alarms", kind, alarm), f"no such alarm in this spec: {absent[kind, alarm]}"
    services = {name: service for _, name, service in spec.services()}
    for name, own in spec.alarms.services.items():
        where: Loc = ("alarms", "services", name)
        if name not in services:
            yield where, f"unknown service '{name}' (services: {', '.join(services)}){_hint(name, services)}"
        elif own.route is not None and services[name].route is None:
            yield (*where, "route"), f"service '{name}' has no route, so no target group to alarm on"


@rule("S502", "each HTTPS subscriber of the alarm topic names a provided secret and one of its keys", SPEC)
def webhook_secrets_exist(spec: Spec) -> Iterator[Violation]:
    secrets = spec.data.secrets
    for index, hook in enumerate(spec.alarms.notify.https):
        at: Loc = ("alarms", "notify", "https", index)
        secret = secrets.get(hook.secret)
        if secret is None:
            yield (*at, "secret"), f"unknown secret '{hook.secret}' (data.secrets has: {', '.join(secrets)})"
        elif secret.provided is None:
            yield (
                (*at, "secret"),
                f"secret '{hook.secret}' is generated; an endpoint's URL is provided: make it 'provided: [{hook.key}]'",
            )
        elif hook.key not in secret.keys:
            yield (*at, "key"), f"secret '{hook.secret}' has no key '{hook.key}' (keys: {', '.join(secret.keys)})"


def _on(tuning: AlarmTuning | None) -> bool:
    return tuning is None or tuning.off is None


@rule("S503", "the database's instance class is one whose memory is known, for the alarms derived from it", SPEC)
def instance_class_is_known(spec: Spec) -> Iterator[Violation]:
    """max_connections and the freeable-memory threshold follow from the class's memory (INSTANCE_MEMORY_GIB)."""
    db = spec.data.database
    alarms = spec.alarms.database
    if db.instance_class in INSTANCE_MEMORY_GIB or not (_on(alarms.connections) or _on(alarms.freeable_memory)):
        return
    yield (
        ("data", "database", "instance_class"),
        (
            f"no memory size known for '{db.instance_class}', so the connections and freeable-memory alarms cannot "
            f"be derived{_hint(db.instance_class, INSTANCE_MEMORY_GIB)}; add it to INSTANCE_MEMORY_GIB, or switch "
            "both alarms off with 'off: <reason>'"
        ),
    )


@rule("S504", "the running-tasks alarm has Container Insights to read from", SPEC)
def running_tasks_are_measured(spec: Spec) -> Iterator[Violation]:
    """RunningTaskCount and DesiredTaskCount are Container Insights metrics: without it the alarm never fires."""
    if spec.platform.cluster.container_insights or not _on(spec.alarms.service.running_tasks):
        return
    yield (
        ("platform", "cluster", "container_insights"),
        (
            "the running-tasks alarm reads Container Insights metrics: turn container_insights on, or switch "
            "alarms.service.running_tasks off with 'off: <reason>'"
        ),
    )


RULES = (alarm_overrides_exist, webhook_secrets_exist, instance_class_is_known, running_tasks_are_measured)
