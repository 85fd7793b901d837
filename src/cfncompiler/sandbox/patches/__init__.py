"""Patches that close the gaps between moto's CloudFormation and AWS that the deployer relies on.

One module per patch, named after it. Each patch is one function: its docstring
starts "Gap:", names the gap and says why the deployer (or its tests) needs it
closed. They are applied by :func:`apply_all` inside the sandbox server process
only, never in the deployer's process, and are written against the pinned moto
version (the ``sandbox`` extra in pyproject.toml); a moto upgrade means
re-reading each one.
"""

from __future__ import annotations

from collections.abc import Callable

from cfncompiler.sandbox.patches.alarms_and_subscriptions_exist_in_cloudwatch_and_sns import (
    alarms_and_subscriptions_exist_in_cloudwatch_and_sns,
)
from cfncompiler.sandbox.patches.certificates_are_issued_in_acm import certificates_are_issued_in_acm
from cfncompiler.sandbox.patches.change_sets_say_what_is_replaced import change_sets_say_what_is_replaced
from cfncompiler.sandbox.patches.conditional_denials_do_not_deny_everything import (
    conditional_denials_do_not_deny_everything,
)
from cfncompiler.sandbox.patches.deleting_a_stack_deletes_its_resources import deleting_a_stack_deletes_its_resources
from cfncompiler.sandbox.patches.drift_detection_compares_what_it_can_read_back import (
    drift_detection_compares_what_it_can_read_back,
)
from cfncompiler.sandbox.patches.efs_access_point_answers_ref_and_getatt import efs_access_point_answers_ref_and_getatt
from cfncompiler.sandbox.patches.executed_change_set_updates_the_stack import executed_change_set_updates_the_stack
from cfncompiler.sandbox.patches.list_parameters_read_back_as_sent import list_parameters_read_back_as_sent
from cfncompiler.sandbox.patches.policy_changes_touch_no_resource import policy_changes_touch_no_resource
from cfncompiler.sandbox.patches.rds_instance_has_its_master_user_secret import rds_instance_has_its_master_user_secret
from cfncompiler.sandbox.patches.rds_parameter_group_ref_is_its_name import rds_parameter_group_ref_is_its_name
from cfncompiler.sandbox.patches.resource_import import resource_import
from cfncompiler.sandbox.patches.short_form_getatt_splits_at_the_first_dot import (
    short_form_getatt_splits_at_the_first_dot,
)
from cfncompiler.sandbox.patches.target_groups_answer_their_full_name import target_groups_answer_their_full_name
from cfncompiler.sandbox.patches.templates_are_read_by_libyaml import templates_are_read_by_libyaml
from cfncompiler.sandbox.patches.termination_protection_is_a_real_switch import termination_protection_is_a_real_switch
from cfncompiler.sandbox.patches.unmodelled_types_get_placeholders import unmodelled_types_get_placeholders

Patch = Callable[[], None]

# Applied in this order: the certificate stand-in registers with the placeholder patch, and later
# patches wrap what earlier ones installed (resource_import's ExecuteChangeSet hands every other
# change set to executed_change_set_updates_the_stack's).
PATCHES: tuple[Patch, ...] = (
    executed_change_set_updates_the_stack,
    unmodelled_types_get_placeholders,
    certificates_are_issued_in_acm,
    alarms_and_subscriptions_exist_in_cloudwatch_and_sns,
    target_groups_answer_their_full_name,
    change_sets_say_what_is_replaced,
    termination_protection_is_a_real_switch,
    rds_parameter_group_ref_is_its_name,
    short_form_getatt_splits_at_the_first_dot,
    templates_are_read_by_libyaml,
    rds_instance_has_its_master_user_secret,
    list_parameters_read_back_as_sent,
    efs_access_point_answers_ref_and_getatt,
    conditional_denials_do_not_deny_everything,
    drift_detection_compares_what_it_can_read_back,
    deleting_a_stack_deletes_its_resources,
    resource_import,
    policy_changes_touch_no_resource,
)


def apply_all() -> list[str]:
    """Apply every patch once; return their names for the start-up banner."""
    for patch in PATCHES:
        patch()
    return [patch.__name__ for patch in PATCHES]
