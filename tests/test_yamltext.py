"""libyaml's safe loader and PyYAML's pure-Python one read every YAML file the project ships alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from extractors.yamltext import LOADER, load_yaml

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p for p in REPO.rglob("*.y*ml") if not {".venv", ".git", "node_modules"} & set(p.parts)
                 and p.suffix in (".yaml", ".yml"))


def test_the_shipped_yaml_files_are_found() -> None:
    names = {p.name for p in SHIPPED}
    assert {"tables.yaml", "measures.yaml", "crossdoc.yaml"} <= names and len(SHIPPED) >= 10


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_both_loaders_read_a_shipped_file_alike(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_a_malformed_text_is_a_yaml_error_and_an_empty_one_none() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml("tables: [a, b\nother: :")
    assert load_yaml("") is None and load_yaml("# only a comment\n") is None
    with pytest.raises(yaml.constructor.ConstructorError):
        load_yaml("!!python/object/apply:os.system ['true']")  # a safe loader builds no Python objects
    assert LOADER in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader)
