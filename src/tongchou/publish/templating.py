"""The Jinja2 environment of the bulletin's templates (page, archive, press release)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tongchou.publish.formats import FILTERS


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tongchou.publish", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env
