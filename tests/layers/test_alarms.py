"""The alarms, topic and dashboard in the compiled templates of the real spec, counted against the spec: a
service, route, cache node or log pattern added to the spec gets its alarms without a new test here."""

from __future__ import annotations

from typing import Any

import pytest

from cfncompiler.layers import ORDER
from cfncompiler.layers.alarms import GIB, max_connections
from cfncompiler.naming import logical_id
from cfncompiler.spec.model import ALARM_DEFAULTS, INSTANCE_MEMORY_GIB, Spec
from tests.spec_edit import ROOT, Compiled, TemplateDict, compile_templates, get_att, ref, resources_of_type

ALARM = "AWS::CloudWatch::Alarm"


def alarms_of(template: TemplateDict) -> dict[str, TemplateDict]:
    """Alarm name -> its properties."""
    return {body["Properties"]["AlarmName"]: body["Properties"] for body in resources_of_type(template, ALARM).values()}


def dimensions(alarm: TemplateDict) -> dict[str, Any]:
    """Name -> value of the dimensions an alarm reads, whether of one metric or of a metric-math input."""
    found = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
    for query in alarm.get("Metrics", []):
        if "MetricStat" in query:
            found |= {d["Name"]: d["Value"] for d in query["MetricStat"]["Metric"].get("Dimensions", [])}
    return found


def expected(spec: Spec) -> dict[str, dict[str, dict[str, Any]]]:
    """layer -> alarm name -> the dimensions it must read, for every resource of the spec that can hurt."""
    p = spec.project
    found: dict[str, dict[str, dict[str, Any]]] = {layer: {} for layer in ORDER}
    if spec.network.nat_gateway is not None:
        for alarm in ALARM_DEFAULTS["nat_gateway"]:
            found["network"][f"{p}-nat-{alarm.replace('_', '-')}"] = {"NatGatewayId": ref("NatGateway")}
    for alarm in ALARM_DEFAULTS["database"]:
        found["data"][f"{p}-database-{alarm.replace('_', '-')}"] = {"DBInstanceIdentifier": ref("Database")}
    for index in range(1, spec.data.cache.replicas + 2):
        node = f"{index:03d}"
        for alarm in ALARM_DEFAULTS["cache"]:
            if alarm == "replication_lag" and spec.data.cache.replicas == 0:
                continue
            cluster = {"Fn::Sub": [f"${{Group}}-{node}", {"Group": ref("Cache")}]}
            found["data"][f"{p}-cache-{node}-{alarm.replace('_', '-')}"] = {"CacheClusterId": cluster}
    for alarm in ALARM_DEFAULTS["file_system"]:
        found["data"][f"{p}-efs-{alarm.replace('_', '-')}"] = {"FileSystemId": ref("FileSystem")}
    for alarm in ALARM_DEFAULTS["load_balancer"]:
        full_name = get_att("LoadBalancer", "LoadBalancerFullName")
        found["platform"][f"{p}-alb-{alarm.replace('_', '-')}"] = {"LoadBalancer": full_name}
    for section, name, service in spec.services():
        cluster = ref("Cluster") if section == "platform" else ref("ClusterName")
        for alarm in ALARM_DEFAULTS["service"]:
            tasks = {"ClusterName": cluster, "ServiceName": get_att(logical_id(name, "service"), "Name")}
            found[section][f"{p}-{name}-{alarm.replace('_', '-')}"] = tasks
        if service.route is not None:
            balancer = (
                get_att("LoadBalancer", "LoadBalancerFullName")
                if section == "platform"
                else ref("LoadBalancerFullName")
            )
            group = get_att(logical_id(name, "target-group"), "TargetGroupFullName")
            for alarm in ALARM_DEFAULTS["route"]:
                found[section][f"{p}-{name}-route-{alarm.replace('_', '-')}"] = {
                    "TargetGroup": group,
                    "LoadBalancer": balancer,
                }
        own = spec.alarms.services.get(name)
        if own is not None and own.log_errors is not None:
            found[section][f"{p}-{name}-errors"] = {}
    return found


SWITCHED_OFF = {"coder-production-clickhouse-memory"}  # spec: alarms.services.clickhouse.service.memory.off


def test_every_resource_that_can_hurt_has_its_alarms_in_its_own_layer(compiled: Compiled) -> None:
    wanted = expected(compiled.spec)
    for layer in ORDER:
        alarms = alarms_of(compiled.templates[layer])
        assert set(alarms) == set(wanted[layer]) - SWITCHED_OFF, layer
        for name, alarm in alarms.items():
            assert dimensions(alarm) == wanted[layer][name], name
    # The real spec's figures, so a change that drops a whole kind cannot pass unnoticed.
    assert [len(alarms_of(compiled.templates[layer])) for layer in ORDER] == [2, 16, 21, 13]


def test_every_alarm_sends_to_the_topic_on_alarm_and_on_ok(compiled: Compiled) -> None:
    for layer in ORDER:
        topic = ref("AlarmTopic") if layer == "network" else ref("AlarmTopicArn")
        for name, alarm in alarms_of(compiled.templates[layer]).items():
            assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic], name
        if layer != "network":
            assert compiled.templates[layer]["Parameters"]["AlarmTopicArn"]["Type"] == "String"
    assert compiled.templates["network"]["Outputs"]["AlarmTopicArn"]["Value"] == ref("AlarmTopic")
    assert not any("Fn::ImportValue" in str(t) for t in compiled.templates.values())


def test_the_topic_is_encrypted_with_a_key_the_publishers_may_use(compiled: Compiled) -> None:
    network = compiled.templates["network"]
    topic = network["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == get_att("EncryptionKey", "Arn")
    statements = network["Resources"]["EncryptionKey"]["Properties"]["KeyPolicy"]["Statement"]
    (publishers,) = [s for s in statements if s["Sid"] == "AlarmPublishersEncrypt"]
    assert set(publishers["Principal"]["Service"]) == {
        "cloudwatch.amazonaws.com",
        "events.amazonaws.com",
        "events.rds.amazonaws.com",
    }
    assert sorted(publishers["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    policy = network["Resources"]["AlarmTopicPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    # Only sns:Publish, and only from this account's alarms and events.
    assert {tuple(s["Action"]) for s in policy} == {("sns:Publish",)}
    assert all("aws:SourceAccount" in s["Condition"]["StringEquals"] for s in policy)


def test_subscribers_come_from_the_spec_and_a_webhook_url_never_appears_in_a_template(compiled: Compiled) -> None:
    network, observability = compiled.templates["network"], compiled.templates["observability"]
    emails = resources_of_type(network, "AWS::SNS::Subscription")
    assert [s["Properties"]["Endpoint"] for s in emails.values()] == compiled.spec.alarms.notify.emails
    (hook,) = resources_of_type(observability, "AWS::SNS::Subscription").values()
    assert hook["Properties"]["Protocol"] == "https"
    assert hook["Properties"]["Endpoint"] == {
        "Fn::Sub": [
            "{{resolve:secretsmanager:${Secret}:SecretString:url}}",
            {"Secret": ref("ProdAlertsWebhookSecretArn")},
        ]
    }


def test_thresholds_follow_the_spec_the_instance_class_and_the_overrides(compiled: Compiled) -> None:
    spec, data, platform = (
        compiled.spec,
        alarms_of(compiled.templates["data"]),
        alarms_of(compiled.templates["platform"]),
    )
    db = spec.data.database
    memory = INSTANCE_MEMORY_GIB[db.instance_class]
    assert data["coder-production-database-connections"]["Threshold"] == round(
        0.8 * max_connections(db.instance_class), 6
    )
    assert max_connections("db.r6g.large") == 1802  # LEAST(16 GiB / 9531392, 5000)
    assert data["coder-production-database-freeable-memory"]["Threshold"] == round(0.1 * memory * GIB, 6)
    assert data["coder-production-database-free-storage"]["Threshold"] == round(0.1 * db.storage_gb * GIB, 6)
    assert data["coder-production-database-free-storage"]["ComparisonOperator"] == "LessThanOrEqualToThreshold"
    # alarms.database.cpu: {threshold: 80, periods: 6}; the period keeps its default.
    cpu = data["coder-production-database-cpu"]
    assert (cpu["Threshold"], cpu["EvaluationPeriods"], cpu["Period"]) == (80, 6, 300)
    # alarms.services.litellm.route.response_time: {threshold: 60}; coder keeps the default 3 s.
    assert platform["coder-production-litellm-route-response-time"]["Threshold"] == 60
    assert platform["coder-production-coder-route-response-time"]["Threshold"] == 3
    assert platform["coder-production-coder-route-response-time"]["ExtendedStatistic"] == "p95"


def test_the_log_error_alarms_count_the_lines_their_pattern_matches(compiled: Compiled) -> None:
    for section, name, _ in compiled.spec.services():
        own = compiled.spec.alarms.services.get(name)
        if own is None or own.log_errors is None:
            continue
        template = compiled.templates[section]
        fil = template["Resources"][logical_id(name, "error-lines")]["Properties"]
        assert fil["LogGroupName"] == ref(logical_id(name, "logs"))
        assert fil["FilterPattern"] == own.log_errors.pattern
        (metric,) = fil["MetricTransformations"]
        alarm = alarms_of(template)[f"coder-production-{name}-errors"]
        assert (alarm["Namespace"], alarm["MetricName"]) == (metric["MetricNamespace"], metric["MetricName"])


def test_the_dashboard_names_every_service_and_every_routed_host(compiled: Compiled) -> None:
    observability = compiled.templates["observability"]
    (dashboard,) = resources_of_type(observability, "AWS::CloudWatch::Dashboard").values()
    body, values = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    assert dashboard["Properties"]["DashboardName"] == compiled.spec.project
    for _, name, service in compiled.spec.services():
        assert f"{name}: tasks, CPU %, memory %" in body
        assert f"${{{logical_id(name)}Service}}" in body
        if service.route is not None:
            assert service.route.host in body
    for row in ("## network", "## data", "## platform", "## observability", "## the internal ALB"):
        assert row in body
    # The platform's services are read from its one joined Output, by position in the spec.
    assert values["CoderService"] == {"Fn::Select": [0, {"Fn::Split": [",", ref("ServiceNames")]}]}


def test_the_deployment_circuit_breakers_rollbacks_reach_the_topic(compiled: Compiled) -> None:
    (rule,) = resources_of_type(compiled.templates["platform"], "AWS::Events::Rule").values()
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["detail"] == {"eventName": ["SERVICE_DEPLOYMENT_FAILED"]}
    assert rule["Properties"]["Targets"][0]["Arn"] == ref("AlarmTopicArn")


@pytest.fixture(scope="module")
def staging() -> dict[str, TemplateDict]:
    return compile_templates(ROOT / "spec" / "staging.yaml")


def test_staging_has_its_own_subscribers_and_alarms_for_what_it_has(staging: dict[str, TemplateDict]) -> None:
    emails = resources_of_type(staging["network"], "AWS::SNS::Subscription")
    assert [s["Properties"]["Endpoint"] for s in emails.values()] == ["platform-team@company.com"]
    assert not resources_of_type(staging["observability"], "AWS::SNS::Subscription")
    data = alarms_of(staging["data"])
    # replicas: 0 in staging: one cache node, no replication lag; db.t4g.medium (4 GiB) derives its own limits.
    assert not [name for name in data if "replication-lag" in name or "cache-002" in name]
    assert data["coder-staging-database-connections"]["Threshold"] == round(0.8 * max_connections("db.t4g.medium"), 6)


def test_coders_wildcard_rule_adds_no_alarms_of_its_own(compiled: Compiled) -> None:
    """The wildcard rule forwards to Coder's target group, whose route alarms already watch it."""
    alarms = resources_of_type(compiled.templates["platform"], "AWS::CloudWatch::Alarm")
    assert "CoderWildcardRoute" in compiled.templates["platform"]["Resources"]
    assert len([name for name in alarms if name.startswith("CoderRoute")]) == len(ALARM_DEFAULTS["route"])
    assert not [name for name in alarms if "Wildcard" in name]
