import textwrap

import pytest

# A small valid ruleset; tests of bad files change one part of it.
MINIMAL = """\
id: tiny
name: {zh: 小, en: tiny}
source: written for the tests
levels:
  - id: low
    colour: "#00aa00"
    label: {zh: 低, en: low}
  - id: medium
    colour: "#ffaa00"
    label: {zh: 中, en: medium}
    when:
      all:
        - {indicator: confirmed_new, stat: sum, window: 14, above: 0}
  - id: high
    colour: "#ff0000"
    label: {zh: 高, en: high}
    when:
      all:
        - {indicator: confirmed_new, stat: sum, window: 7, at_least: 10}
default: low
"""


@pytest.fixture
def minimal() -> str:
    return MINIMAL


@pytest.fixture
def write_yaml(tmp_path):
    """Write YAML text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "rules.yaml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write
