"""Write and execute notebooks/compare_departments.ipynb (run from the project root)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

CELLS = [
    (
        "markdown",
        "# Comparing departments from the warehouse\n\n"
        "The warehouse's Parquet tables queried with DuckDB (`yujuesuan.analysis`): every unit with the "
        "years it reports, then 基本支出 vs 项目支出 of each department and year, with their shares. "
        "Set `YUJUESUAN_WAREHOUSE` to a warehouse (e.g. `data/warehouse` after `yujuesuan nightly --demo`); "
        "without it the notebook builds one from the demo portal's documents.",
    ),
    (
        "code",
        "import os\n"
        "import tempfile\n"
        "from pathlib import Path\n\n"
        "from yujuesuan.ingest.pipeline import extract_paths\n\n"
        "repo = Path.cwd().parent if Path.cwd().name == 'notebooks' else Path.cwd()\n"
        "warehouse = Path(os.environ.get('YUJUESUAN_WAREHOUSE', '/nonexistent'))\n"
        "if not (warehouse / 'documents').is_dir():\n"
        "    warehouse = Path(tempfile.mkdtemp()) / 'warehouse'\n"
        "    demo = repo / 'data' / 'demo_portal'\n"
        "    extract_paths([demo / 'attach', demo / 'jiangsu' / 'download'], warehouse)\n"
        "print('documents:', len(list((warehouse / 'documents').glob('*.parquet'))))",
    ),
    (
        "code",
        "from yujuesuan.analysis.duck import connect\n\n"
        "con = connect(warehouse)\n"
        "con.execute('SELECT unit_id, first_year, last_year, documents FROM units ORDER BY unit_id').df()",
    ),
    (
        "code",
        "from yujuesuan.analysis.compare import Selection, figures, shares\n"
        "from yujuesuan.analysis.measures import get\n\n"
        "split = shares([figures(con, get('basic_expenditure'), Selection()),\n"
        "                figures(con, get('project_expenditure'), Selection())])\n"
        "split['万元'] = split['value'].map(lambda v: float(v) / 10000)\n"
        "table = split.pivot_table(index=['unit_id', 'year'], columns='measure', values=['万元', 'share_pct'])\n"
        "table.round(2)",
    ),
    (
        "code",
        "import matplotlib.pyplot as plt\n\n"
        "from yujuesuan.analysis.chart import cjk_font\n\n"
        "plt.rcParams['font.family'] = cjk_font() or 'sans-serif'\n"
        "basic = split[split['measure'] == 'basic_expenditure'].copy()\n"
        "basic['label'] = basic['unit_id'] + ' ' + basic['year'].astype(str)\n"
        "ax = basic.plot.barh(x='label', y='share_pct', legend=False, figsize=(7, 3.2), color='#4a7ab5')\n"
        "ax.set_xlabel('基本支出占支出合计 %')\n"
        "ax.set_ylabel('')\n"
        "ax.set_xlim(0, 100)\n"
        "plt.tight_layout()",
    ),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in CELLS:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        nb.cells.append(cell)
    path = Path("notebooks/compare_departments.ipynb")
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": "notebooks"}}).execute()
    nbformat.write(nb, path)
    print(f"{path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
