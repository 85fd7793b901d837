"""The spec stage: read the YAML with positions, apply `extends`, validate the schema, run the rules."""
