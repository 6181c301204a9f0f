"""Prefect 3 flows: `crawl`, `extract`, `check` and `nightly` (all three, then publish).

The flows only orchestrate; the work lives in the library (`yujuesuan.crawl`, `yujuesuan.ingest.pipeline`)
so that it runs and is tested without Prefect. Importing this package sets quiet defaults for
Prefect's local (ephemeral) server before Prefect itself is imported: anonymous usage telemetry
off — its first write races the ephemeral server's SQLite migrations and prints a "database is
locked" traceback (PrefectHQ/prefect#18934, #19771) although nothing is wrong — and a start-up
time of 2 minutes for that server instead of Prefect's 20 s, which a busy machine exceeds (the
nightly then failed with "Timed out while attempting to connect to ephemeral Prefect API server").
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_UI_SHOW_PROMOTIONAL_CONTENT", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
