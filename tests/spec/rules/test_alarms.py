"""Rules of the alarms section (spec/rules/alarms.py, S5xx), each as a located edit of the production spec:
an override naming an alarm or a resource the spec does not have is an error at its own line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfncompiler.spec.load import load
from tests.spec_edit import Edit, edit, edited_spec, position, problem_at, problems_of, production_text

LITELLM_ALARMS = "    litellm:\n      route:\n"
WORKER_ALARMS = "    langfuse-worker: {log_errors:"
DATABASE_ALARMS = "  database:\n    # Nightly VACUUM"
CACHE_REPLICAS = "    replicas: 1             # 1 primary + 1 replica, automatic failover"
WEBHOOK = "{secret: prod/alerts/webhook, key: url}"
INSTANCE_CLASS = "    instance_class: db.r6g.large"
INSIGHTS = "    container_insights: true"

# (edits, dotted path, message fragment, (line marker, token) of the reported position)
BAD = [
    pytest.param(
        [(LITELLM_ALARMS, LITELLM_ALARMS.replace("litellm", "litelm"))],
        "alarms.services.litelm",
        "unknown service 'litelm' (services: coder, litellm, key-provisioner, clickhouse, langfuse-web, "
        "langfuse-worker); did you mean 'litellm'?",
        ("litelm:", "litelm"),
        id="unknown-service",
    ),
    pytest.param(
        [(WORKER_ALARMS, "    langfuse-worker: {route: {unhealthy_hosts: {threshold: 2}}, log_errors:")],
        "alarms.services.langfuse-worker.route",
        "service 'langfuse-worker' has no route, so no target group to alarm on",
        ("route: {unhealthy_hosts", "route"),
        id="route-of-unrouted-service",
    ),
    pytest.param(
        [
            (CACHE_REPLICAS, "    replicas: 0"),
            (DATABASE_ALARMS, "  cache:\n    replication_lag: {threshold: 10}\n" + DATABASE_ALARMS),
        ],
        "alarms.cache.replication_lag",
        "no such alarm in this spec: data.cache.replicas is 0: there is no replica to lag",
        ("replication_lag: {threshold: 10}", "replication_lag"),
        id="alarm-the-spec-does-not-have",
    ),
    pytest.param(
        [(WEBHOOK, WEBHOOK.replace("prod/alerts/webhook", "prod/alerts/hook"))],
        "alarms.notify.https[0].secret",
        "unknown secret 'prod/alerts/hook' (data.secrets has: prod/coder/oidc,",
        ("prod/alerts/hook", "prod/alerts/hook"),
        id="webhook-unknown-secret",
    ),
    pytest.param(
        [(WEBHOOK, WEBHOOK.replace("key: url", "key: link"))],
        "alarms.notify.https[0].key",
        "secret 'prod/alerts/webhook' has no key 'link' (keys: url)",
        ("key: link", "link"),
        id="webhook-unknown-key",
    ),
    pytest.param(
        [(WEBHOOK, "{secret: prod/litellm/master-key, key: url}")],
        "alarms.notify.https[0].secret",
        "secret 'prod/litellm/master-key' is generated; an endpoint's URL is provided",
        ("- {secret: prod/litellm/master-key, key: url}", "prod/litellm/master-key"),
        id="webhook-generated-secret",
    ),
    pytest.param(
        [(INSTANCE_CLASS, "    instance_class: db.r6gd.large")],
        "data.database.instance_class",
        "no memory size known for 'db.r6gd.large', so the connections and freeable-memory alarms cannot be derived",
        ("instance_class: db.r6gd.large", "db.r6gd.large"),
        id="instance-class-unknown",
    ),
    pytest.param(
        [(INSIGHTS, "    container_insights: false")],
        "platform.cluster.container_insights",
        "the running-tasks alarm reads Container Insights metrics",
        ("container_insights: false", "false"),
        id="running-tasks-without-container-insights",
    ),
]


@pytest.mark.parametrize(("edits", "path", "fragment", "at"), BAD)
def test_an_alarm_rule_reports_the_problem_at_its_line(
    tmp_path: Path, edits: list[Edit], path: str, fragment: str, at: tuple[str, str]
) -> None:
    text = edit(production_text(), *edits)
    problem = problem_at(problems_of(edited_spec(tmp_path, *edits)), path)
    assert fragment in problem.message
    assert problem.rule.startswith("S5")
    marker, token = at
    assert (problem.line, problem.column) == position(text, marker, token)


def test_an_override_naming_a_metric_that_does_not_exist_is_a_located_schema_error(tmp_path: Path) -> None:
    edits = [(DATABASE_ALARMS, "  database:\n    cpux: {threshold: 90}\n    # Nightly VACUUM")]
    text = edit(production_text(), *edits)
    problem = problem_at(problems_of(edited_spec(tmp_path, *edits)), "alarms.database.cpux")
    assert (problem.rule, problem.line) == ("S002", position(text, "cpux:")[0])
    assert "did you mean 'cpu'?" in problem.message


def test_an_alarm_switched_off_takes_no_threshold(tmp_path: Path) -> None:
    edits = [
        (
            DATABASE_ALARMS,
            "  database:\n    connections: {off: pooled by PgBouncer, threshold: 5}\n    # Nightly VACUUM",
        )
    ]
    problems = problems_of(edited_spec(tmp_path, *edits))
    assert any("switched off takes no threshold" in p.message and p.rule == "S004" for p in problems), problems


GOOD = [
    # An unknown class is fine once both alarms derived from its memory are off, each with its reason.
    pytest.param(
        [
            (INSTANCE_CLASS, "    instance_class: db.r6gd.large"),
            (
                DATABASE_ALARMS,
                "  database:\n    connections: {off: behind PgBouncer}\n    freeable_memory: {off: new class}\n"
                + DATABASE_ALARMS.split("\n")[1],
            ),
        ],
        id="unknown-class-alarms-off",
    ),
    pytest.param(
        [
            (INSIGHTS, "    container_insights: false"),
            (DATABASE_ALARMS, "  service:\n    running_tasks: {off: cost}\n" + DATABASE_ALARMS),
        ],
        id="no-insights-running-tasks-off",
    ),
]


@pytest.mark.parametrize("edits", GOOD)
def test_an_edit_beside_an_alarm_rule_still_loads(tmp_path: Path, edits: list[Edit]) -> None:
    load(edited_spec(tmp_path, *edits))
