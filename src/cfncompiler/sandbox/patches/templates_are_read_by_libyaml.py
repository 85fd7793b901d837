"""moto reads templates with libyaml: the same data, a fraction of the sandbox's time."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any


def templates_are_read_by_libyaml() -> None:
    """Gap: speed, not behaviour. moto parses every template with PyYAML's pure-Python loader, several
    times per change set; on this project's 60-75 kB templates that was most of the sandbox's CPU in a
    deploy. Its ``cloudformation`` modules get a ``yaml`` whose ``Loader`` is libyaml's safe loader with
    moto's own tag constructor (as patched by short_form_getatt_splits_at_the_first_dot), read at each
    call; a template is only ever data, so nothing the full loader adds is lost.
    """
    from moto.cloudformation import models, responses

    yaml: Any = import_module("yaml")  # moto's own dependency; its stubs are not installed

    class TemplateLoader(yaml.CSafeLoader):  # type: ignore[misc]
        pass

    def tag(loader: Any, suffix: str, node: Any) -> Any:
        return getattr(models, "yaml_tag_constructor")(loader, suffix, node)  # noqa: B009 - patched at run time

    TemplateLoader.add_multi_constructor("", tag)
    fast = SimpleNamespace(**{name: getattr(yaml, name) for name in dir(yaml) if not name.startswith("__")})
    fast.Loader = TemplateLoader
    # moto registers its constructor on every read; on this loader it is registered once, above.
    fast.add_multi_constructor = lambda *args, **kwargs: None
    for module in (models, responses):
        setattr(module, "yaml", fast)  # noqa: B010
