"""The deploy engine: layers -> change sets -> CloudFormation, in dependency order.

Reading order: ``project`` (what a layer is: its template, stack name, tags,
capabilities), ``plan`` (which layers, in what order), ``session`` (boto3
clients, retries, AWS errors as sentences), ``stacks`` (what is deployed),
``parameters`` (a layer's Parameters from the Outputs above it), ``changeset``
and ``diff`` (what would change, and how it reads), ``guard`` (data-loss
refusal, stack policy), ``staging`` and ``uploads`` (S3 for big templates and
assets), ``events`` (watching a stack work), ``deployer`` (the orchestration).
The command line in :mod:`cfncompiler.cli` is a thin layer over ``deployer``.
"""
