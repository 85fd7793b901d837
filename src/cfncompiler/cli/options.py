"""Options several commands share."""

from __future__ import annotations

from pathlib import Path

import click

from cfncompiler.naming import PRIMARY_SPEC_PATH, out_dir_for

spec_option = click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=PRIMARY_SPEC_PATH,
    show_default=True,
    help="Spec file to compile.",
)


def _default_out(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    return value if value is not None else out_dir_for(ctx.params.get("spec_path") or PRIMARY_SPEC_PATH)


out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    callback=_default_out,
    help="Directory of the templates [default: templates_out, or templates_out/NAME for spec/NAME.yaml].",
)


def _complete_layers(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    from cfncompiler.layers import ORDER  # only when the shell asks: the layers import troposphere

    return [layer for layer in ORDER if layer.startswith(incomplete)]


layer_option = click.option(
    "--layer",
    "layers",
    multiple=True,
    metavar="NAME",
    help="Layer to act on; repeat for several. Default: every layer, in dependency order.",
    shell_complete=_complete_layers,
)
yes_option = click.option("--yes", is_flag=True, help="Go ahead without asking (needed when there is no terminal).")
prices_option = click.option(
    "--prices",
    "prices_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Price snapshot for the monthly cost [default: the committed one, src/cfncompiler/cost/prices.json].",
)
