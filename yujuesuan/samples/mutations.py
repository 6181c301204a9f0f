"""Mutation harness: does the check catalogue catch a deliberate error?

Each trial generates a synthetic document, changes one table (a printed figure, a dropped row,
the 单位 label), renders it, extracts and checks it. The error is caught when an `error` issue
names the mutated table (its table_code, or "table NN" in its message).
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from extractors.pdf import extract_pdf
from yujuesuan.checks.apply import apply_checks
from yujuesuan.samples.generator import MUTATION_KINDS, Layout, Mutation, generate
from yujuesuan.warehouse.store import extraction_rows

LAYOUT_CHOICES = dict(currency=["万元", "元"], split_codes=[False, True], rules=["grid", "horizontal", "none"])


@dataclass
class HarnessResult:
    trials: int = 0
    caught: int = 0
    misses: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [caught, trials]

    @property
    def rate(self) -> float:
        return self.caught / self.trials if self.trials else 0.0


def names_table(issue: dict, table: str) -> bool:
    text = issue["message"].lower()
    return issue["table_code"] == table or f"table {table}" in text


def run_trial(n: int) -> tuple[Mutation, bool, str]:
    rng = random.Random(n)
    layout = Layout(**{k: rng.choice(v) for k, v in LAYOUT_CHOICES.items()}, rows_per_page=rng.choice([40, 6]))
    mutation = Mutation(kind=rng.choice(MUTATION_KINDS), table=rng.choice(["01", "02", "03"]), seed=n)
    if mutation.kind == "honest_unit":
        layout = dataclasses.replace(layout, currency="万元")
    gen = generate(1000 + n, layout, mutation)
    rows = extraction_rows(extract_pdf(gen.pdf, f"mutant-{n}.pdf"))
    apply_checks(rows)
    errors = [i for i in rows["quality_issues"] if i["severity"] == "error"]
    # a planted error is caught when an error names its table; the honest control when no error is raised
    caught = not errors if mutation.kind == "honest_unit" else any(names_table(i, mutation.table) for i in errors)
    return mutation, caught, f"trial {n}: {mutation.kind} in table {mutation.table} ({gen.mutation_detail}; {layout})"


def run_harness(trials: int = 200, start: int = 0) -> HarnessResult:
    result = HarnessResult()
    for n in range(start, start + trials):
        mutation, caught, what = run_trial(n)
        result.trials += 1
        result.caught += caught
        counts = result.by_kind.setdefault(mutation.kind, [0, 0])
        counts[0] += caught
        counts[1] += 1
        if not caught:
            result.misses.append(what)
    return result


if __name__ == "__main__":
    import sys

    res = run_harness(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
    print(f"caught {res.caught}/{res.trials} = {res.rate:.3f}; by kind {res.by_kind}")
    for m in res.misses:
        print("  missed", m)
