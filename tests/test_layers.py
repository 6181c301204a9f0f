"""The package's layers: the runtime carries no development tools, Prefect stays in flows/."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import yujuesuan

REPO = Path(__file__).resolve().parent.parent
# the runtime install has neither: they come with the `samples` extra
BLOCK = "import sys; sys.modules['reportlab'] = None; sys.modules['docx'] = None\n"
SAMPLE_PDF = sorted((REPO / "data" / "samples").glob("*.pdf"))


def runtime_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(yujuesuan.__path__, "yujuesuan.")]
    runtime = [n for n in names if not n.startswith("yujuesuan.samples.") or n == "yujuesuan.samples.portal"]
    return sorted(n for n in runtime if not n.endswith(".__main__"))


def run(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)


def test_every_runtime_module_imports_without_the_samples_extra(tmp_path) -> None:
    modules = runtime_modules()
    assert "yujuesuan.warehouse.store" in modules and "yujuesuan.samples.generator" not in modules
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in [*modules, "flows.nightly"])
    done = run(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.skipif(not SAMPLE_PDF, reason="no bundled sample PDFs in data/samples")
def test_extract_runs_without_the_samples_extra_and_generate_says_what_to_install(tmp_path) -> None:
    code = (
        "from yujuesuan.cli.main import main\n"
        f"rc = main(['extract', {str(SAMPLE_PDF[0])!r}, '--warehouse', 'w', '--jobs', '1'])\n"
        "assert rc == 0, rc\n"
        "import sys; sys.exit(10 + main(['generate', '--out', 'g']))\n"
    )
    done = run(code, tmp_path)
    assert done.returncode == 12, done.stderr[-2000:]
    assert "extracted 1 document(s)" in done.stdout
    assert "pip install 'yujuesuan[samples]'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "g").exists()


def test_prefect_is_imported_by_flows_only() -> None:
    """The lint rule (ruff TID251) is configured; this checks the same on the source text."""
    offenders = []
    for path in [*REPO.glob("yujuesuan/**/*.py"), *REPO.glob("extractors/**/*.py")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("import prefect", "from prefect")):
                offenders.append(f"{path.relative_to(REPO)}: {stripped}")
    assert not offenders
    assert '"prefect".msg' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_the_folders_show_the_layers() -> None:
    top = sorted(p.name for p in (REPO / "yujuesuan").iterdir() if p.suffix == ".py")
    assert top == ["__init__.py", "logs.py"], top
    for folder in ["cli", "warehouse", "checks", "runs", "crawl", "analysis", "ingest", "samples", "codes"]:
        assert (REPO / "yujuesuan" / folder / "__init__.py").is_file(), folder


def test_the_readmes_architecture_names_every_folder() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Architecture", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    named, parent = set(), ""
    for line in block.splitlines():
        if not line.strip() or not line.split()[0].endswith("/"):
            continue
        name = line.split()[0]
        parent = name if not line.startswith(" ") else parent
        named.add(name if not line.startswith(" ") else parent + name)
    for path in sorted(named):
        assert (REPO / path).is_dir(), f"the README's architecture names {path}, which does not exist"
    packages = {f"yujuesuan/{p.name}/" for p in (REPO / "yujuesuan").iterdir() if (p / "__init__.py").is_file()}
    assert packages <= named, f"folders missing from the README's architecture: {sorted(packages - named)}"


PATH_MENTION = __import__("re").compile(
    r"(?<![\w./-])((?:yujuesuan|extractors|flows|docs|scripts|tests|data|notebooks)/[\w/-]*\.(?:py|yaml|md|csv|ipynb))\b"
)


# files the docs ask the reader to write, named before they exist
EXAMPLES = {"data/sources/czj-example.yaml", "data/sources/example-district.yaml", "data/sources/x.yaml"}


def test_every_path_the_code_and_docs_mention_exists() -> None:
    """Comments, docstrings and docs name files by path; a moved file leaves no stale mention behind."""
    texts = [*REPO.glob("yujuesuan/**/*.py"), *REPO.glob("extractors/**/*.py"), *REPO.glob("flows/*.py"),
             *REPO.glob("extractors/specs/*.yaml"), *REPO.glob("yujuesuan/**/*.yaml"), *REPO.glob("docs/*.md"),
             REPO / "README.md", *REPO.glob("scripts/*.py")]
    stale = []
    for path in texts:
        for m in PATH_MENTION.finditer(path.read_text(encoding="utf-8")):
            mention = m.group(1).rstrip(".")
            if mention in EXAMPLES:
                continue
            target = REPO / mention
            if not target.exists() and not list(REPO.glob(mention + "*")):
                stale.append(f"{path.relative_to(REPO)}: {mention}")
    assert not stale, "\n".join(stale)
