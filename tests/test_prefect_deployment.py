"""prefect.yaml declares a deployment Prefect can load: its entrypoint is the nightly flow, its
schedule a valid cron, its parameters the flow's own."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import yaml
from prefect.client.schemas.schedules import CronSchedule

import flows  # noqa: F401  (quiet Prefect defaults before Prefect is imported)

REPO = Path(__file__).resolve().parents[1]


def test_prefect_yaml_deploys_the_nightly_flow() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = spec["deployments"]
    path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert flow.name == "nightly"
    accepted = set(inspect.signature(flow.fn).parameters)
    assert set(deployment["parameters"]) <= accepted
    for schedule in deployment["schedules"]:
        CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
    assert deployment["work_pool"]["name"] and deployment["concurrency_limit"] == 1


IMPORT = re.compile(r"^\s*(?:from|import)\s+(prefect|flows)\b", re.M)


def test_prefect_stays_in_flows() -> None:
    """extractors/ never imports Prefect or the flows; yujuesuan/ only starts flows from the CLI."""
    for path in (REPO / "extractors").rglob("*.py"):
        assert not IMPORT.findall(path.read_text(encoding="utf-8")), path
    for path in (REPO / "yujuesuan").rglob("*.py"):
        found = set(IMPORT.findall(path.read_text(encoding="utf-8")))
        assert "prefect" not in found, path
        assert "flows" not in found or path.relative_to(REPO).as_posix() == "yujuesuan/cli/flows.py", path
