"""Serve the patched moto on 127.0.0.1 and say how to point the AWS tools at it."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
from pathlib import Path
from typing import Any

from cfncompiler.errors import EXIT_BAD_INPUT, CfncompilerError

# Loopback only: the sandbox accepts any credentials, so nothing beyond this machine may reach it.
HOST = "127.0.0.1"
DEFAULT_PORT = 5000
# moto accepts any key pair; these make botocore's credential chain stop looking elsewhere.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


class SandboxUnavailable(CfncompilerError):
    """moto (the ``sandbox`` extra) is not installed: the wheel ships the patches, not moto."""

    exit_code = EXIT_BAD_INPUT


class PortUnavailable(CfncompilerError):
    """The port cannot be listened on (another sandbox holds it, most likely); nothing was printed to export."""


def endpoint_url(port: int) -> str:
    return f"http://{HOST}:{port}"


def exports(port: int) -> list[str]:
    """The shell lines that point boto3 (and so cfncompiler and the aws CLI) at the sandbox."""
    values = {"AWS_ENDPOINT_URL": endpoint_url(port), **DUMMY_CREDENTIALS}
    return [f"export {name}={value}" for name, value in values.items()]


def _moto_app() -> Any:
    """moto's WSGI app, or SandboxUnavailable when moto or its server dependencies are missing."""
    try:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    except ModuleNotFoundError as missing:
        package = (missing.name or "moto").split(".")[0]
        raise SandboxUnavailable(
            f"the sandbox needs `pip install cfncompiler[sandbox]` ({package} is not installed)"
        ) from missing
    return DomainDispatcherApplication(create_backend_app)


def _bind(port: int) -> socket.socket:
    """The listening socket, before anything is printed: a busy port must fail before the exports, not after."""
    try:
        return socket.create_server((HOST, port))
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise PortUnavailable(
            f"cannot listen on {endpoint_url(port)}: {reason}; stop what holds it (another sandbox?) "
            "or choose another port (--port, SANDBOX_PORT)"
        ) from error


def banner(port: int, applied: list[str]) -> list[str]:
    """What the sandbox says once it listens: its patches, what moto does not model, the exports."""
    from cfncompiler.sandbox.patches.unmodelled_types_get_placeholders import unmodelled_count

    unmodelled, registry = unmodelled_count()
    return [
        f"cfncompiler sandbox: moto on {endpoint_url(port)} with {len(applied)} patches: {', '.join(applied)}",
        f"moto's CloudFormation does not model {unmodelled} of the {registry} AWS resource types in the registry: "
        "they get placeholders that answer Ref and GetAtt and create nothing (not reported per resource)",
        "Run this in the shell you deploy from:",
        *(f"  {line}" for line in exports(port)),
    ]


def serve(port: int) -> None:
    """Bind the port, apply the patches, say what to export, then serve until interrupted."""
    app = _moto_app()
    from moto.moto_server.werkzeug_app import MotoRequestHandler
    from werkzeug.serving import make_server

    listening = _bind(port)
    port = listening.getsockname()[1]  # the one the system chose, for --port 0
    # Imported once the port is ours: loading moto's CloudFormation takes seconds a busy port should not wait.
    from cfncompiler.sandbox.patches import apply_all

    applied = apply_all()
    # moto builds some resource URLs from this; it must name the port we listen on.
    os.environ["MOTO_PORT"] = str(port)
    # On our socket, and serve_forever rather than run_simple: werkzeug would bind again (printing its own
    # two lines and exiting on a busy port) and warn that it is a development server, which the sandbox is.
    server = make_server(HOST, port, app, threaded=True, request_handler=MotoRequestHandler, fd=listening.fileno())
    print("\n".join(banner(port, applied)), flush=True)
    server.serve_forever()


def _spec_account(spec: Path) -> str | None:
    from cfncompiler.spec.load import load_spec

    return load_spec(spec).account


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cfncompiler.sandbox", description=__doc__)
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("SANDBOX_PORT", DEFAULT_PORT)),
        help=f"TCP port on {HOST} (default: $SANDBOX_PORT or {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--account",
        default=None,
        help="12-digit account id the sandbox answers for (default: moto's 123456789012)",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=None,
        help="serve the account this spec is pinned to (its `account:`), so its pinned commands are accepted",
    )
    args = parser.parse_args(argv)
    try:
        account = args.account or (_spec_account(args.spec) if args.spec else None)
        if account:
            # moto answers every request (GetCallerIdentity, ARNs) for this account.
            os.environ["MOTO_ACCOUNT_ID"] = account
        # Ctrl-C is how the sandbox is meant to stop: no traceback for it.
        with contextlib.suppress(KeyboardInterrupt):
            serve(args.port)
    except CfncompilerError as failure:
        for line in failure.lines():
            print(line, file=sys.stderr)
        sys.exit(failure.exit_code)
