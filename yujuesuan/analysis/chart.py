"""Charts of comparisons (PNG or SVG), with a CJK font so that unit names are legible."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pandas as pd

from yujuesuan.analysis.compare import KIND_LABEL

WAN = Decimal(10000)


def cjk_font() -> str | None:
    """A Noto Sans CJK font file (from the mplfonts package), registered with matplotlib."""
    try:
        from importlib import resources

        path = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf")
    except ModuleNotFoundError:
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _pyplot():  # noqa: ANN202 (matplotlib.pyplot, imported only when a chart is drawn)
    """pyplot without a display, with the CJK font; SVG keeps its text as text."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    family = cjk_font()
    if family:
        plt.rcParams["font.family"] = family
    plt.rcParams["svg.fonttype"] = "none"
    return plt


def _save(plt, fig, out: str | os.PathLike[str]) -> Path:  # noqa: ANN001
    """Write the figure in the format its file name asks for (.png, .svg) and release it."""
    out = Path(out)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=out.suffix.lstrip(".").lower() or "png", bbox_inches="tight")  # keeps the legend
    plt.close(fig)
    return out


def bar_chart(df: pd.DataFrame, title: str, out: str | os.PathLike[str]) -> Path:
    """Grouped bars: one group per unit, one bar per year (and qualifier), values in 万元."""
    plt = _pyplot()
    fig = bar_figure(plt, df, title)
    return _save(plt, fig, out)


def bar_figure(plt, df: pd.DataFrame, title: str):  # noqa: ANN001, ANN201 (pyplot and its Figure)
    """The grouped-bar figure; its legend stands right of the axes, clear of every bar and label."""
    data = df.assign(wan=df["value"].map(lambda v: float(v / WAN)))
    data["period"] = data["year"].astype(str) + " " + data["qualifier"].map(KIND_LABEL)
    table = data.pivot_table(index="unit_id", columns="period", values="wan", aggfunc="first").sort_index(axis=1)
    regions = data.drop_duplicates("unit_id").set_index("unit_id")["region"]
    labels = [_short(u, regions.get(u)) for u in table.index]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(table.index) + 2), 4.8), dpi=120)
    width = 0.8 / max(1, len(table.columns))
    for i, period in enumerate(table.columns):
        xs = [k + (i - (len(table.columns) - 1) / 2) * width for k in range(len(table.index))]
        bars = ax.bar(xs, table[period].fillna(0), width, label=str(period))
        for bar, value in zip(bars, table[period], strict=True):
            if value == value:  # not NaN: label the bar with its figure
                ax.annotate(
                    f"{value:,.2f}",
                    (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    rotation=90,
                    xytext=(0, 2),
                    textcoords="offset points",
                )
    ax.set_xticks(range(len(table.index)), labels, rotation=20, ha="right")
    ax.set_ylabel("万元")
    ax.set_title(title)
    ax.margins(y=0.18)  # room above the tallest bar for its rotated label
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def _short(unit_id: str, region: str | None) -> str:
    """The unit's name without its region prefix (the chart's title names the region)."""
    if region and unit_id.startswith(region) and len(unit_id) > len(region) + 1:
        rest = unit_id[len(region) :]
        return rest.removeprefix("人民政府") if len(rest) > 6 else rest
    return unit_id


def share_chart(df: pd.DataFrame, title: str, out: str | os.PathLike[str]) -> Path:
    """Stacked 100 % bars: each unit-year split into its measures' shares (基本 vs 项目支出)."""
    plt = _pyplot()
    regions = df.drop_duplicates("unit_id").set_index("unit_id")["region"]
    kinds = df["qualifier"].map(KIND_LABEL)
    data = df.assign(
        label=[f"{_short(u, regions.get(u))} {y}{k}" for u, y, k in zip(df["unit_id"], df["year"], kinds, strict=True)]
    )
    table = data.pivot_table(index="label", columns="measure", values="share_pct", aggfunc="first").fillna(0)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(table.index) + 1.8), dpi=120)
    from yujuesuan.analysis.measures import get

    labels = {m: get(m).label for m in table.columns}
    left = [0.0] * len(table.index)
    for measure in table.columns:
        values = list(table[measure])
        ax.barh(table.index, values, left=left, label=labels.get(measure, measure))
        for k, v in enumerate(values):
            if v >= 8:
                ax.text(left[k] + v / 2, k, f"{v:.1f}%", ha="center", va="center", fontsize=7, color="white")
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=len(table.columns), frameon=False)
    return _save(plt, fig, out)
