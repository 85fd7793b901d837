"""cfncompiler: a declarative compiler from one YAML spec to layered CloudFormation templates."""
