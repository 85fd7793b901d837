"""Compile a spec through the library, without the limit check, the lint gate or writing anything.

    python bench/compile_only.py SPEC

Loads and validates SPEC (``cfncompiler.spec.load.load``), reads its assets
(``cfncompiler.synth.gather_inputs``), builds and renders every layer
(``cfncompiler.synth.compile_spec``), and prints one JSON object: per layer the
resource count and rendered bytes, and the seconds spent in each step. The
benchmark runs it as a whole process, so the scaling curve covers sizes that
``cfncompiler synth`` rightly refuses for being over a CloudFormation limit.

troposphere refuses a 501st resource (and a 201st output, parameter or
mapping) on its own, inside the builders; that guard is a limit check too, so
this script lifts it (in this process only) to time the compiler itself.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# troposphere's own per-template guards (see the module docstring).
TROPOSPHERE_LIMITS = ("MAX_RESOURCES", "MAX_OUTPUTS", "MAX_PARAMETERS", "MAX_MAPPINGS")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python bench/compile_only.py SPEC", file=sys.stderr)
        return 2
    started = time.perf_counter()
    import troposphere

    from cfncompiler.spec.load import load
    from cfncompiler.synth import compile_spec, gather_inputs

    for name in TROPOSPHERE_LIMITS:
        setattr(troposphere, name, sys.maxsize)

    imported = time.perf_counter()
    loaded = load(Path(argv[0]))
    inputs = gather_inputs(loaded)
    parsed = time.perf_counter()
    layers = compile_spec(loaded.spec, inputs)
    compiled = time.perf_counter()
    report = {
        "layers": {c.layer: {"resources": c.resources, "bytes": c.size} for c in layers},
        "seconds": {
            "import": round(imported - started, 4),
            "load": round(parsed - imported, 4),
            "compile": round(compiled - parsed, 4),
        },
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
