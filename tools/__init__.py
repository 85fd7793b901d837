"""Build tooling of this repository, not of the cfncompiler package: :mod:`tools.locks` writes and checks the locks."""
