"""Alarms in a template are put into moto's CloudWatch, and topic subscriptions into moto's SNS."""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import MetricDataQuery

from cfncompiler.sandbox.patches._common import backend
from cfncompiler.sandbox.patches.unmodelled_types_get_placeholders import STAND_INS, PlaceholderResource


class PutAlarm(PlaceholderResource):
    """An AWS::CloudWatch::Alarm that exists in moto's CloudWatch (so DescribeAlarms and SetAlarmState see it)."""

    def __init__(self, resource_type: str, name: str, properties: dict[str, Any], account_id: str, region: str):
        super().__init__(resource_type, name, properties, account_id, region)
        self.alarm_name = properties.get("AlarmName") or name
        if properties:
            _put_alarm(self.alarm_name, properties, account_id, region)

    @property
    def physical_resource_id(self) -> str:
        return self.alarm_name

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "Arn":
            return f"arn:aws:cloudwatch:{self.arn.split(':')[3]}:{self.arn.split(':')[4]}:alarm:{self.alarm_name}"
        return super().get_cfn_attribute(attribute_name)

    def updated(self, properties: dict[str, Any], account_id: str, region_name: str) -> PlaceholderResource:
        # A new AlarmName is a new alarm on AWS (replacement): the old one goes.
        if properties.get("AlarmName", self.alarm_name) != self.alarm_name:
            self.delete(account_id, region_name)
        return type(self)(self.cf_resource_type, self.name, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend("cloudwatch", account_id, region_name).delete_alarms([self.alarm_name])


def _put_alarm(name: str, properties: dict[str, Any], account_id: str, region: str) -> None:
    queries = [
        MetricDataQuery(
            query_id=query["Id"],
            label=query.get("Label", ""),
            period=query.get("Period") or query.get("MetricStat", {}).get("Period"),
            return_data=str(query.get("ReturnData", True)).lower(),
            expression=query.get("Expression"),
        )
        for query in properties.get("Metrics", [])
    ]
    backend("cloudwatch", account_id, region).put_metric_alarm(
        name=name,
        namespace=properties.get("Namespace"),
        metric_name=properties.get("MetricName"),
        comparison_operator=properties["ComparisonOperator"],
        evaluation_periods=int(properties["EvaluationPeriods"]),
        period=int(properties.get("Period", 60)),
        threshold=float(properties["Threshold"]),
        statistic=properties.get("Statistic"),
        extended_statistic=properties.get("ExtendedStatistic"),
        description=properties.get("AlarmDescription", ""),
        dimensions=[{"Name": d["Name"], "Value": d["Value"]} for d in properties.get("Dimensions", [])],
        alarm_actions=list(properties.get("AlarmActions", [])),
        ok_actions=list(properties.get("OKActions", [])),
        metric_data_queries=queries or None,
        treat_missing_data=properties.get("TreatMissingData"),
    )


class Subscribed(PlaceholderResource):
    """An AWS::SNS::Subscription that exists in moto's SNS, listed by ListSubscriptionsByTopic."""

    def __init__(self, resource_type: str, name: str, properties: dict[str, Any], account_id: str, region: str):
        super().__init__(resource_type, name, properties, account_id, region)
        self.region = region
        if properties:
            subscription = backend("sns", account_id, region).subscribe(
                properties["TopicArn"], properties["Endpoint"], properties["Protocol"]
            )
            self.arn = subscription.arn

    def updated(self, properties: dict[str, Any], account_id: str, region_name: str) -> PlaceholderResource:
        self.delete(account_id, region_name)
        return type(self)(self.cf_resource_type, self.name, properties, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        sns = backend("sns", account_id, region_name)
        if self.arn in sns.subscriptions:
            sns.unsubscribe(self.arn)


def alarms_and_subscriptions_exist_in_cloudwatch_and_sns() -> None:
    """Gap: moto's CloudFormation models neither AWS::CloudWatch::Alarm nor AWS::SNS::Subscription.

    A deployed layer's alarms were placeholders only, so `cfncompiler status` found no alarm to
    read back (DescribeAlarms answered nothing) and SetAlarmState had nothing to set; the topic
    had no subscribers. The stand-ins put each alarm into moto's CloudWatch under its AlarmName
    (its physical id, as on AWS) and subscribe each endpoint in moto's SNS; an update puts the
    alarm again, and a delete removes both, as CloudFormation does.
    """
    STAND_INS["AWS::CloudWatch::Alarm"] = PutAlarm
    STAND_INS["AWS::SNS::Subscription"] = Subscribed
