"""The deploy engine: layers -> change sets -> CloudFormation, in dependency order.

Reading order: ``project`` (what a layer is: its template, stack name, tags,
capabilities), ``plan`` (which layers, in what order), ``session`` (boto3
clients, retries, AWS errors as sentences), ``stacks`` (what is deployed),
``parameters`` (a layer's Parameters from the Outputs above it), ``changeset``
and ``diff`` (what would change, and how it reads), ``guard`` (data-loss
refusal, stack policy, termination protection), ``staging`` and ``uploads``
(S3 for big templates and for assets), ``events`` (watching a stack work),
``operations`` (one stack: wait, delete, recover, explain a failure),
``deployer`` (the orchestration over layers), ``report`` and ``console``
(talking to the person running it). :mod:`cfncompiler.cli` is a thin layer
over ``console`` and ``deployer``.
"""
