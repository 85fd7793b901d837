"""A local CloudFormation endpoint for trying deploys without an AWS account.

``python -m cfncompiler.sandbox`` (``make sandbox``) runs moto in server mode on
127.0.0.1 with the patches in :mod:`cfncompiler.sandbox.patches` applied inside
that process only. The deployer talks to it exactly as to AWS, through
``AWS_ENDPOINT_URL``; nothing in :mod:`cfncompiler.deploy` knows the difference.
moto comes with the ``sandbox`` extra (``pip install cfncompiler[sandbox]``), so
it is imported only when the sandbox starts, and its absence is one line, not a traceback.
"""
