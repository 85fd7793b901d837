"""The estate tests run against the same sandbox as the deploy tests: its session fixtures, imported.

``sandbox_url`` starts ``python -m cfncompiler.sandbox`` on a free loopback port; the autouse
``aws_environment`` points every boto3 client (and every subprocess) at it with dummy keys.
"""

from tests.deploy.conftest import aws_environment, sandbox_url

__all__ = ["aws_environment", "sandbox_url"]
