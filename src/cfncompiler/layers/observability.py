"""ObservabilityStack: ClickHouse, Langfuse web and Langfuse worker, on the platform's cluster and listener."""

from __future__ import annotations

from troposphere import GetAtt, Template

from cfncompiler import contract
from cfncompiler.layers import Inputs, alarms
from cfncompiler.layers.common import Layer
from cfncompiler.layers.encryption import key_arn, layer_key
from cfncompiler.layers.platform import EXECUTION_ROLE, execution_role
from cfncompiler.layers.services import ExecutionGrants, ServiceContext, add_service
from cfncompiler.spec.model import Spec


def build(spec: Spec, inputs: Inputs) -> Template:
    layer = Layer(spec, "observability", "ClickHouse, Langfuse web, Langfuse worker")
    key = layer_key(layer, "service logs", for_log_groups=True)
    context = ServiceContext(
        cluster=lambda: layer.resolve(contract.cluster_arn()),
        execution_role_arn=GetAtt(EXECUTION_ROLE, "Arn"),
        log_key_arn=key_arn(key),
        listener_arn=lambda: layer.resolve(contract.listener_arn()),
        asset_prefixes=inputs.asset_prefixes,
        asset_sources=inputs.asset_sources,
    )
    grants = ExecutionGrants()
    for name, service in spec.observability.services.items():
        with layer.at("observability", "services", name):
            add_service(layer, name, service, context, grants)
    if spec.observability.services:
        layer.add(execution_role(layer, grants))
    alarms.webhook_subscriptions(layer)
    alarms.dashboard(layer)
    return layer.template
