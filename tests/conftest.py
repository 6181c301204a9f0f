from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared is only beside CI and developer checkouts)")
    return path


@pytest.fixture(scope="session")
def real_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse built from ../shared/real/docs (once per test session)."""
    from yujuesuan.ingest.pipeline import extract_paths

    docs = shared_path("real", "docs")
    wh = tmp_path_factory.mktemp("real") / "warehouse"
    extract_paths([docs], wh, jobs=2)
    return wh


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the demo portal's PDFs (generated; no ../shared needed)."""
    from yujuesuan.ingest.pipeline import extract_paths

    wh = tmp_path_factory.mktemp("demo") / "warehouse"
    extract_paths(
        [REPO / "data" / "demo_portal" / "attach", REPO / "data" / "demo_portal" / "jiangsu" / "download"], wh
    )
    return wh
