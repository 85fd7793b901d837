"""Adopting a live estate that Terraform manages today into the compiled stacks."""
