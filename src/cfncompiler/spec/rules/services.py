"""Rules of one service: a Fargate task size, its environment and ports, its capacity."""

from __future__ import annotations

from collections.abc import Iterator

from cfncompiler.spec.model import FARGATE_MEMORY, Service
from cfncompiler.spec.rules.base import SERVICE, Violation, rule


@rule("S301", "cpu and memory are a task size Fargate offers", SERVICE)
def fargate_size(service: Service) -> Iterator[Violation]:
    allowed = FARGATE_MEMORY.get(service.cpu)
    if allowed is None:
        sizes = ", ".join(str(c) for c in FARGATE_MEMORY)
        yield ("cpu",), f"{service.cpu} is not a Fargate CPU size (choose one of {sizes})"
    elif service.memory not in allowed:
        yield (
            ("memory",),
            f"{service.memory} is not a valid Fargate memory size for {service.cpu} CPU units "
            f"(choose {allowed.start}-{allowed.stop - 1} in steps of {allowed.step})",
        )


@rule("S302", "a variable is set either in env or in secrets, not both", SERVICE)
def env_or_secret(service: Service) -> Iterator[Violation]:
    clash = sorted(set(service.env) & set(service.secrets))
    if clash:
        yield ("secrets", clash[0]), f"{clash[0]} is set both in env and in secrets"


@rule("S303", "each container port is listed once", SERVICE)
def ports_listed_once(service: Service) -> Iterator[Violation]:
    dupes = sorted({p for p in service.ports if service.ports.count(p) > 1})
    if dupes:
        yield ("ports",), f"port listed more than once: {dupes[0]}"


@rule("S304", "capacity weights give at least one provider a weight above 0", SERVICE)
def capacity_has_weight(service: Service) -> Iterator[Violation]:
    if isinstance(service.capacity, dict) and not any(service.capacity.values()):
        yield ("capacity",), "at least one capacity provider needs a weight above 0"


RULES = (fargate_size, env_or_secret, ports_listed_once, capacity_has_weight)
