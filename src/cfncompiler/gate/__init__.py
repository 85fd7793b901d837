"""The gate: every template passes cfn-lint with no errors or warnings before anything is written."""
