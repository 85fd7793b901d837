"""A Deny whose condition moto cannot evaluate does not deny every request."""

from __future__ import annotations

from typing import Any


def conditional_denials_do_not_deny_everything() -> None:
    """Gap: moto skips Condition operators it does not implement (``Bool``, ``IpAddress``...).

    A conditional Deny then denies every request. The deployer's staging
    bucket carries the usual TLS-only policy (Deny s3:* when
    ``aws:SecureTransport`` is false); on AWS every SDK call is TLS, so it
    never applies, but in moto it denied every upload. A Deny whose condition
    moto cannot evaluate is treated as not applying. (The sandbox is plain HTTP
    on 127.0.0.1, so there is no transport to check anyway.)
    """
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult
    from moto.iam.policy_conditions import CONDITION_OPERATIONS

    original = IAMPolicyStatement.is_action_permitted

    def is_action_permitted(self: IAMPolicyStatement, action: str, *args: Any, **kwargs: Any) -> PermissionResult:
        statement: dict[str, Any] = self._statement
        operators = set(statement.get("Condition") or {})
        if statement.get("Effect") == "Deny" and operators - set(CONDITION_OPERATIONS):
            return PermissionResult.NEUTRAL
        result: PermissionResult = original(self, action, *args, **kwargs)
        return result

    setattr(IAMPolicyStatement, "is_action_permitted", is_action_permitted)  # noqa: B010
