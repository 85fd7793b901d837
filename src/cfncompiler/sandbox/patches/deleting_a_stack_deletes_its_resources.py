"""Deleting a stack (or removing a resource from its template) deletes the resource in moto's backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation.parsing import ResourceMap
from moto.core.exceptions import ServiceException

from cfncompiler.sandbox.patches._common import backend

# Deletes one resource from its moto backend: (account id, region, moto's model of the resource).
# It raises what the backend raises (a dependency still in place): moto's delete loop then tries
# again after the other resources, as CloudFormation waits for dependents.
Remover = Callable[[str, str, Any], None]


def _listener_rule(account_id: str, region: str, rule: Any) -> None:
    backend("elbv2", account_id, region).delete_rule(rule.arn)


def _listener(account_id: str, region: str, listener: Any) -> None:
    backend("elbv2", account_id, region).delete_listener(listener.arn)


def _target_group(account_id: str, region: str, target_group: Any) -> None:
    backend("elbv2", account_id, region).delete_target_group(target_group.arn)


def _ecs_service(account_id: str, region: str, service: Any) -> None:
    # CloudFormation scales the service to zero before deleting it; force says the same to moto.
    backend("ecs", account_id, region).delete_service(service.cluster_name, service.name, force=True)


def _task_definition(account_id: str, region: str, task_definition: Any) -> None:
    # As on AWS, a deregistered revision stays readable with status INACTIVE.
    backend("ecs", account_id, region).deregister_task_definition(task_definition.arn)


def _ecs_cluster(account_id: str, region: str, cluster: Any) -> None:
    backend("ecs", account_id, region).delete_cluster(cluster.name)


def _vpc_endpoint(account_id: str, region: str, endpoint: Any) -> None:
    ec2 = backend("ec2", account_id, region)
    # A gateway endpoint removes its routes; a route table deleted first took them along, and moto
    # would fail on it (CloudFormation deletes the endpoint first, as it depends on the tables).
    if endpoint.route_table_ids:
        endpoint.route_table_ids = [table for table in endpoint.route_table_ids if table in ec2.route_tables]
    ec2.delete_vpc_endpoints([endpoint.id])


def _flow_log(account_id: str, region: str, flow_log: Any) -> None:
    backend("ec2", account_id, region).delete_flow_logs([flow_log.id])


def _nat_gateway(account_id: str, region: str, nat: Any) -> None:
    ec2 = backend("ec2", account_id, region)
    ec2.delete_nat_gateway(nat.id)
    # AWS also releases the gateway's network interface (moto keeps it, and its subnet cannot go).
    for address in ec2.addresses:
        if address.eni is nat._eni:
            ec2.disassociate_address(address=address.public_ip)
    ec2.delete_network_interface(nat._eni.id)


def _elastic_ip(account_id: str, region: str, address: Any) -> None:
    backend("ec2", account_id, region).release_address(address=address.public_ip)


def _route_table(account_id: str, region: str, route_table: Any) -> None:
    backend("ec2", account_id, region).delete_route_table(route_table.id)


def _route_table_association(account_id: str, region: str, association: Any) -> None:
    ec2 = backend("ec2", account_id, region)
    associations: dict[str, str] = ec2.get_route_table(association.route_table_id)._associations
    for association_id, subnet_id in list(associations.items()):
        if subnet_id == association.subnet_id:
            ec2.disassociate_route_table(association_id)


def _route(account_id: str, region: str, route: Any) -> None:
    backend("ec2", account_id, region).delete_route(route.route_table.id, route.destination_cidr_block)


def _internet_gateway(account_id: str, region: str, gateway: Any) -> None:
    backend("ec2", account_id, region).delete_internet_gateway(gateway.id)


def _gateway_attachment(account_id: str, region: str, attachment: Any) -> None:
    ec2 = backend("ec2", account_id, region)
    if str(attachment.gateway_id).startswith("igw-"):
        ec2.detach_internet_gateway(attachment.gateway_id, attachment.vpc_id)
    else:
        ec2.detach_vpn_gateway(attachment.gateway_id, attachment.vpc_id)


# Every type in templates_out/ whose moto model has no delete at all: moto's stack delete skips
# them without a word (its fallback, delete_from_cloudformation_json, is abstract for them).
REMOVERS: dict[str, Remover] = {
    "AWS::ElasticLoadBalancingV2::ListenerRule": _listener_rule,
    "AWS::ElasticLoadBalancingV2::Listener": _listener,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::ECS::Service": _ecs_service,
    "AWS::ECS::TaskDefinition": _task_definition,
    "AWS::ECS::Cluster": _ecs_cluster,
    "AWS::EC2::VPCEndpoint": _vpc_endpoint,
    "AWS::EC2::FlowLog": _flow_log,
    "AWS::EC2::NatGateway": _nat_gateway,
    "AWS::EC2::EIP": _elastic_ip,
    "AWS::EC2::RouteTable": _route_table,
    "AWS::EC2::SubnetRouteTableAssociation": _route_table_association,
    "AWS::EC2::Route": _route,
    "AWS::EC2::InternetGateway": _internet_gateway,
    "AWS::EC2::VPCGatewayAttachment": _gateway_attachment,
}


def deleting_a_stack_deletes_its_resources() -> None:
    """Gap: moto's stack delete silently keeps every resource whose model cannot delete itself.

    For the templates here that is ELBv2 listener rules, listeners and target
    groups, ECS services, task definitions and clusters, and most of the
    network (endpoints, flow log, NAT gateway, EIP, route tables and their
    associations and routes, internet gateway and its attachment). So after a
    layer was deleted its listener rules still held their priorities (the
    redeploy failed with PriorityInUse), and the network stack could not be
    deleted at all (its VPC still had dependencies). This deletes them through
    their moto backends, when a stack is deleted and when an update removes
    them from the template; resources with DeletionPolicy Retain are still kept.
    """
    original = ResourceMap._delete_resource

    def _delete_resource(self: ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
        remover = REMOVERS.get(resource_json["Type"])
        if remover is None:
            original(self, parsed_resource, resource_json)
            return
        try:
            remover(self._account_id, self._region_name, parsed_resource)
        except ServiceException as error:
            # Already gone with its parent (a listener with its load balancer): CloudFormation counts that as deleted.
            if "NotFound" not in error.code:
                raise

    setattr(ResourceMap, "_delete_resource", _delete_resource)  # noqa: B010
