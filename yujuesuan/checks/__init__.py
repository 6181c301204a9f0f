"""Quality checks: a declarative catalogue (catalogue.yaml) of named rules run on each
document after extraction, and again alone with `yujuesuan check` (no re-extraction)."""

from yujuesuan.checks.run import CHECK_PREFIXES, Rule, load_catalogue, run_checks

__all__ = ["CHECK_PREFIXES", "Rule", "load_catalogue", "run_checks"]
