"""CloudFormation's hard limits and the service quotas a spec can hit, checked before anything is written.

All limits live here, in one table each. Over a limit is an error that names
the layer, the figure and the limit and says how to get under it; at 80% or
more it is a warning, so growth is noticed a release before it breaks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cfncompiler.errors import LimitExceeded

if TYPE_CHECKING:
    from cfncompiler.spec.load import LoadedSpec

WARN_AT = 0.8

# Limits that apply per template (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
TEMPLATE_LIMITS: dict[str, tuple[int, str]] = {
    "resources": (500, "split the layer: move some services into a layer of their own"),
    "parameters": (200, "split the layer so each takes fewer values from the layers above"),
    "outputs": (200, "split the layer, or publish fewer values"),
    "mappings": (200, "split the layer"),
    "bytes": (1_000_000, "split the layer; this is the size limit even through S3"),
    "dynamic references": (60, "read fewer secrets through {{resolve:...}} in one template"),
    "tags on one resource": (50, "drop tags; CloudFormation accepts at most 50 per resource"),
}
# Above this a template cannot be sent inline; the deployer stages it in S3.
INLINE_TEMPLATE_BYTES = 51_200

# Default service quotas the spec alone determines.
LISTENER_RULES = 100  # rules per ALB listener, the default rule not counted
GROUP_RULES = 60  # inbound (and, separately, outbound) rules per security group


@dataclass(frozen=True)
class Usage:
    where: str
    what: str
    value: int
    limit: int
    advice: str

    @property
    def over(self) -> bool:
        return self.value > self.limit

    @property
    def near(self) -> bool:
        return not self.over and self.value >= WARN_AT * self.limit

    def sentence(self) -> str:
        share = f"{self.value / self.limit:.0%}"
        if self.over:
            return f"{self.where}: {self.value:,} {self.what}, over the limit of {self.limit:,}; {self.advice}"
        return f"{self.where}: {self.value:,} {self.what} is {share} of the limit of {self.limit:,}"


def template_usage(where: str, template: dict[str, Any], text: str) -> list[Usage]:
    resources = template.get("Resources", {})
    most_tags = max((len(r.get("Properties", {}).get("Tags", []) or []) for r in resources.values()), default=0)
    figures = {
        "resources": len(resources),
        "parameters": len(template.get("Parameters", {})),
        "outputs": len(template.get("Outputs", {})),
        "mappings": len(template.get("Mappings", {})),
        "bytes": len(text.encode("utf-8")),
        "dynamic references": text.count("{{resolve:"),
        "tags on one resource": most_tags,
    }
    return [Usage(where, what, figures[what], limit, advice) for what, (limit, advice) in TEMPLATE_LIMITS.items()]


def spec_usage(loaded: LoadedSpec) -> Iterator[tuple[tuple[str | int, ...], Usage]]:
    spec = loaded.spec
    # One listener rule per routed service, one more for a route's wildcard hosts, and one for the direct
    # path's hosts (the rules workspace templates add at run time count against the same quota, but the
    # spec cannot know how many).
    rules: list[tuple[str | int, ...]] = []
    for section, name, service in spec.services():
        if service.route is not None:
            rules.append((section, "services", name, "route"))
            if service.route.wildcard_hosts:
                rules.append((section, "services", name, "route", "wildcard_hosts"))
    if spec.platform.direct_path is not None:
        rules.append(("platform", "direct_path", "hosts"))
    if rules:
        yield (
            rules[-1],
            Usage(
                "ALB listener",
                "routed hosts",
                len(rules),
                LISTENER_RULES,
                "ask AWS for a higher quota or add a listener",
            ),
        )
    for group_name, group in spec.network.security_groups.items():
        inbound = sum(len(rule.ports) for rule in group.ingress)
        outbound = sum(len(rule.ports) for rule in group.egress) if isinstance(group.egress, list) else 1
        where = ("network", "security_groups", group_name)
        advice = "combine ports into fewer rules or split the group"
        yield (*where, "ingress"), Usage(f"security group {group_name}", "inbound rules", inbound, GROUP_RULES, advice)
        yield (*where, "egress"), Usage(f"security group {group_name}", "outbound rules", outbound, GROUP_RULES, advice)


def check(loaded: LoadedSpec, templates: dict[str, tuple[dict[str, Any], str]]) -> list[str]:
    """Raise LimitExceeded when anything is over a limit; return the warnings for what is near one."""
    usages = [u for where, (template, text) in templates.items() for u in template_usage(where, template, text)]
    located = list(spec_usage(loaded))
    over = [u.sentence() for u in usages if u.over]
    problems = [loaded.problem(loc, u.sentence()) for loc, u in located if u.over]
    if over or problems:
        raise LimitExceeded(over, problems)
    warnings = [u.sentence() for u in usages if u.near]
    warnings += [str(loaded.problem(loc, u.sentence())) for loc, u in located if u.near]
    return warnings
