"""What to do when AWS says a name is taken: the two ways that happens to this tool's users."""

from __future__ import annotations

# How AWS words "a resource of this physical name exists outside the stack", spaces removed.
_NAME_TAKEN = ("alreadyexists", "resourceinuse", "alreadyowned")
NAME_TAKEN_ADVICE = (
    "A resource of that name already exists outside this stack. If it is the live estate Terraform "
    "manages, adopt it in place with `cfncompiler adopt --terraform-state FILE` (docs/adopt.md); if "
    "another environment created it, deploy each environment into its own AWS account (README: Environments)."
)


def names_taken(reason: str) -> bool:
    normal = reason.lower().replace(" ", "")
    return any(phrase in normal for phrase in _NAME_TAKEN)
