"""PlatformStack: ECS cluster, ACM certificate, internal ALB, IAM, the platform services,
and the Terraform bridge (workspaceOutputs as Outputs and SSM parameters)."""

from __future__ import annotations

from troposphere import GetAtt, Output, Ref, Sub, Template, ecs, iam, ssm
from troposphere import certificatemanager as acm
from troposphere import elasticloadbalancingv2 as elbv2

from cfncompiler import contract
from cfncompiler.layers import Inputs, alarms
from cfncompiler.layers.common import Layer, log_group, optional, suppress
from cfncompiler.layers.dns import host_records, validation_options
from cfncompiler.layers.encryption import key_arn, layer_key
from cfncompiler.layers.iam import ecs_tasks_trust, policy
from cfncompiler.layers.services import (
    CAPACITY_PROVIDERS,
    ExecutionGrants,
    ServiceContext,
    add_service,
    execution_statements,
)
from cfncompiler.layers.workspaces import workspace_role
from cfncompiler.naming import DIRECT_PATH_PRIORITY, logical_id
from cfncompiler.spec.model import Spec
from cfncompiler.spec.references import CrossLayer, Known, meaning, references

EXECUTION_ROLE = "TaskExecutionRole"


def build(spec: Spec, inputs: Inputs) -> Template:
    layer = Layer(spec, "platform", "ECS cluster, certificate, internal ALB, IAM, Coder, LiteLLM, Key Provisioner")
    platform = spec.platform
    key = layer_key(layer, "service logs", for_log_groups=True)
    cluster, capacity = _cluster(layer)
    listener = _load_balancer(layer)
    alarms.load_balancer_alarms(layer)
    _direct_path(layer, listener)
    layer.publish(contract.execution_role_arn(), GetAtt(EXECUTION_ROLE, "Arn"))
    role = layer.add(workspace_role(layer))
    layer.publish(contract.workspace_role_arn(), GetAtt(role, "Arn"))

    grants = ExecutionGrants()
    workspace_logs = layer.add(log_group("WorkspaceLogs", spec, key_arn(key)))
    grants.log_groups.append(GetAtt(workspace_logs, "Arn"))
    layer.publish(contract.workspace_log_group(), Ref(workspace_logs))

    context = ServiceContext(
        cluster=lambda: Ref(cluster),
        execution_role_arn=GetAtt(EXECUTION_ROLE, "Arn"),
        log_key_arn=key_arn(key),
        listener_arn=lambda: Ref(listener),
        asset_prefixes=inputs.asset_prefixes,
        asset_sources=inputs.asset_sources,
        depends_on=(capacity.title,),
    )
    for name, service in platform.services.items():
        with layer.at("platform", "services", name):
            add_service(layer, name, service, context, grants)
    layer.add(execution_role(layer, grants))
    _terraform_bridge(layer)
    alarms.platform_alarms(layer)
    return layer.template


def execution_role(layer: Layer, grants: ExecutionGrants) -> iam.Role:
    """The one execution role of a layer: pulls images, writes logs, reads exactly the secrets its tasks name."""
    return iam.Role(
        EXECUTION_ROLE,
        Description=f"ECS task execution role of the {layer.name} layer",
        AssumeRolePolicyDocument=ecs_tasks_trust(),
        Policies=[iam.Policy(PolicyName="start-tasks", PolicyDocument=policy(execution_statements(layer, grants)))],
    )


def _cluster(layer: Layer) -> tuple[ecs.Cluster, ecs.ClusterCapacityProviderAssociations]:
    spec = layer.spec.platform.cluster
    cluster = layer.add(
        ecs.Cluster(
            "Cluster",
            ClusterName=layer.spec.project,
            ClusterSettings=[
                ecs.ClusterSetting(Name="containerInsights", Value="enabled" if spec.container_insights else "disabled")
            ],
        )
    )
    providers = [CAPACITY_PROVIDERS[p] for p in spec.capacity_providers]
    capacity = layer.add(
        ecs.ClusterCapacityProviderAssociations(
            "ClusterCapacityProviders",
            Cluster=Ref(cluster),
            CapacityProviders=providers,
            DefaultCapacityProviderStrategy=[ecs.CapacityProviderStrategy(CapacityProvider=providers[0], Weight=1)],
        )
    )
    layer.publish(contract.cluster_arn(), GetAtt(cluster, "Arn"))
    layer.publish(contract.cluster_name(), Ref(cluster))
    return cluster, capacity


def _load_balancer(layer: Layer) -> elbv2.Listener:
    platform = layer.spec.platform
    lb = platform.load_balancer
    certificate = acm.Certificate(
        "Certificate",
        DomainName=platform.certificate.domain,
        SubjectAlternativeNames=platform.certificate.alternative_names,
        ValidationMethod="DNS",
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        **optional(DomainValidationOptions=validation_options(layer)),
    )
    wildcards = [name for name in platform.certificate.names if name.startswith("*.")]
    if wildcards:
        suppress(
            certificate,
            "CKV2_AWS_71",
            f"spec platform.certificate names {', '.join(wildcards)}: the design serves every "
            "*.company.com host (Coder's wildcard access URL) from one certificate",
        )
    layer.add(certificate)
    access_logs = []
    log_bucket = layer.spec.data.access_log_bucket
    if log_bucket is not None:
        access_logs = [
            elbv2.LoadBalancerAttributes(Key="access_logs.s3.enabled", Value="true"),
            elbv2.LoadBalancerAttributes(
                Key="access_logs.s3.bucket", Value=layer.resolve(contract.bucket_name(log_bucket))
            ),
            elbv2.LoadBalancerAttributes(Key="access_logs.s3.prefix", Value="alb"),
        ]
    balancer = layer.add(
        elbv2.LoadBalancer(
            "LoadBalancer",
            Type="application",
            Scheme="internal",
            Subnets=layer.resolve(contract.subnet_ids(lb.subnet_tier)),
            SecurityGroups=[layer.resolve(contract.security_group_id(lb.security_group))],
            LoadBalancerAttributes=[
                elbv2.LoadBalancerAttributes(Key="idle_timeout.timeout_seconds", Value=str(lb.idle_timeout_seconds)),
                elbv2.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
                elbv2.LoadBalancerAttributes(Key="deletion_protection.enabled", Value="true"),
                *access_logs,
            ],
        )
    )
    listener = layer.add(
        elbv2.Listener(
            "HttpsListener",
            LoadBalancerArn=Ref(balancer),
            Port=443,
            Protocol="HTTPS",
            SslPolicy=lb.tls_policy,
            Certificates=[elbv2.Certificate(CertificateArn=Ref(certificate))],
            # A host nobody routes gets a plain 404 rather than some service's page.
            DefaultActions=[
                elbv2.Action(
                    Type="fixed-response",
                    FixedResponseConfig=elbv2.FixedResponseConfig(StatusCode="404", ContentType="text/plain"),
                )
            ],
        )
    )
    layer.publish(contract.listener_arn(), Ref(listener))
    layer.publish(contract.load_balancer_dns_name(), GetAtt(balancer, "DNSName"))
    host_records(layer, balancer)
    return listener


def _direct_path(layer: Layer, listener: elbv2.Listener) -> None:
    """The workspaces' direct path: every request to its hosts signs in with OIDC at the ALB, then gets a
    404. Workspace templates put their own rules (the same sign-in, then their target group) in the
    block of priorities before this one, so nothing on these hosts is ever reached unauthenticated."""
    direct = layer.spec.platform.direct_path
    if direct is None:
        return
    oidc = direct.oidc
    secret = layer.resolve(contract.secret_arn(oidc.client.secret))

    def from_secret(key: str) -> Sub:
        # A dynamic reference: CloudFormation reads the value when it creates or updates the rule.
        return Sub(f"{{{{resolve:secretsmanager:${{Secret}}:SecretString:{key}}}}}", Secret=secret)

    layer.add(
        elbv2.ListenerRule(
            "DirectPathRule",
            ListenerArn=Ref(listener),
            Priority=DIRECT_PATH_PRIORITY,
            Conditions=[
                elbv2.Condition(Field="host-header", HostHeaderConfig=elbv2.HostHeaderConfig(Values=direct.hosts))
            ],
            Actions=[
                elbv2.ListenerRuleAction(
                    Type="authenticate-oidc",
                    Order=1,
                    AuthenticateOidcConfig=elbv2.ListenerRuleAuthenticateOidcConfig(
                        Issuer=oidc.issuer,
                        AuthorizationEndpoint=oidc.authorization_endpoint,
                        TokenEndpoint=oidc.token_endpoint,
                        UserInfoEndpoint=oidc.user_info_endpoint,
                        ClientId=from_secret(oidc.client.id_key),
                        ClientSecret=from_secret(oidc.client.secret_key),
                        Scope=oidc.scope,
                        SessionTimeout=oidc.session_timeout_seconds,
                        OnUnauthenticatedRequest="authenticate",
                    ),
                ),
                elbv2.ListenerRuleAction(
                    Type="fixed-response",
                    Order=2,
                    FixedResponseConfig=elbv2.FixedResponseConfig(StatusCode="404", ContentType="text/plain"),
                ),
            ],
        )
    )


def _terraform_bridge(layer: Layer) -> None:
    """The design's workspaceOutputs: a stack Output and an SSM parameter per value."""
    bridge = layer.spec.platform.terraform_bridge
    outputs = layer.template.outputs
    for name, text in bridge.values.items():
        value = layer.interpolate(text)
        title = logical_id(name)
        is_list = any(
            (isinstance(m, CrossLayer) and m.value.type.startswith("List<")) or (isinstance(m, Known) and m.is_list)
            for m in (meaning(layer.spec, r) for r in references(text))
        )
        layer.add(
            ssm.Parameter(
                logical_id("bridge", name),
                Name=f"{bridge.parameter_prefix}/{name}",
                Type="StringList" if is_list else "String",
                Value=value,
                Description=f"Terraform bridge: {name}",
            )
        )
        # Values the contract already publishes under the same name are the same Output.
        if title not in outputs:
            layer.template.add_output(Output(title, Description=f"Terraform bridge: {name}", Value=value))
