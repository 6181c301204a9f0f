"""`yujuesuan serve` deploys the nightly flow with its cron schedule on a Prefect server it starts
itself (no server started by hand), and stops cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from yujuesuan.cli.common import free_port


def _post(url: str, body: dict) -> list:
    req = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_serve_deploys_the_nightly_schedule(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "YUJUESUAN_DEMO_PORT": str(port)}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "yujuesuan.cli", "serve", "--demo", "--cron", "0 2 * * *", "--name", "test-nightly"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    api, deployment, lines = None, None, []
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            lines.append(line)
            m = re.match(r"Prefect API, UI and scheduler: (\S+)", line)
            if m:
                api = m.group(1) + "/api"
            if api and "serving the nightly flow" in line:
                break
        assert api, "".join(lines)
        while time.monotonic() < deadline and deployment is None:
            found = _post(f"{api}/deployments/filter", {"deployments": {"name": {"any_": ["test-nightly"]}}})
            deployment = found[0] if found else None
            time.sleep(0.5)
        assert deployment is not None
        crons = [s["schedule"]["cron"] for s in deployment["schedules"]]
        assert crons == ["0 2 * * *"] and deployment["parameters"]["warehouse"].endswith("data/warehouse")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
    assert proc.returncode == 0, "".join(lines) + out + err
    assert "Traceback" not in out + err
