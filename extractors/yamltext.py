"""YAML of the specs, vocabularies and catalogues, read by libyaml's parser where PyYAML has it (ten
times faster than the pure-Python one: the catalogues are read by every process at start) and by the
pure-Python one elsewhere. Both are safe loaders; tests/test_yamltext.py checks they agree on every
YAML file the project ships."""

from __future__ import annotations

from typing import Any

import yaml

LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """The document of a YAML text (None for an empty one), as yaml.safe_load gives it."""
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader (libyaml's or PyYAML's SafeLoader)
