"""The table engine's tolerances: one frozen, validated `EngineSettings`.

Every distance, share and count the stages locate → grid → cells → reading compare against
lives here, with its unit and meaning; the stages read them from the settings object they are
given (`DEFAULT_SETTINGS` when none is). The defaults are the values the engine is tuned to.

    from extractors.settings import EngineSettings
    strict = EngineSettings(rule_min_length_pt=12.0)  # ignore short vertical strokes
    EngineSettings(rule_min_length_pt=-1)  # SettingsError: one line naming the field and its range
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# unit → (type, lowest, highest): what a value in that unit may be
UNITS: dict[str, tuple[type, float, float]] = {
    "pt": (float, 0.0, 200.0),  # PDF points (1/72 inch)
    "share": (float, 0.0, 1.0),  # a fraction of something named in the meaning
    "lines": (float, 0.0, 20.0),  # multiples of a text line's height
    "chars": (int, 0, 200),
    "count": (int, 0, 100),
}


class SettingsError(ValueError):
    """An EngineSettings value of the wrong type or out of its range; the message names it."""


def _setting(default: float, unit: str, meaning: str, low: float | None = None) -> Any:  # noqa: ANN401
    """A field with its unit, meaning and (where the unit's lowest value is absurd) its own lowest."""
    return field(default=default, metadata={"unit": unit, "meaning": meaning, "low": low})


@dataclass(frozen=True)
class EngineSettings:
    # locate: titles, contents pages, table regions
    title_max_chars: int = _setting(60, "chars", "a longer line is body text, never a table title")
    title_large_share: float = _setting(
        0.9, "share", "characters this share of a line's largest size or more form its large print"
    )
    title_wrap_gap_lines: float = _setting(
        2.0, "lines", "a wrapped title's next line starts within this many line heights"
    )
    title_wrap_max_chars: int = _setting(6, "chars", "a wrapped title's continuation line is at most this long")
    title_max_lines: int = _setting(3, "count", "lines a wrapped title may use")
    number_lines_above: int = _setting(2, "count", "lines above a title searched for its printed number (公开NN表)")
    meta_max_lines: int = _setting(4, "count", "lines below a title that may hold its 部门：/单位： labels")
    note_max_lines: int = _setting(4, "count", "lines a note (注：…) is read over")
    toc_head_lines: int = _setting(4, "count", "lines at a page's top searched for 目录")
    toc_min_leaders: int = _setting(3, "count", "dot-leader lines that make a contents page")
    segment_gap_pt: float = _setting(6.0, "pt", "a gap wider than this splits a text line into segments")
    tabular_min_rules: int = _setting(2, "count", "horizontal rules that make a continuation page tabular")
    tabular_min_figure_lines: int = _setting(2, "count", "lines with a figure that make a continuation page tabular")
    tabular_figure_share: float = _setting(0.3, "share", "share of a continuation page's lines that hold a figure")
    preamble_rule_reach_pt: float = _setting(4.0, "pt", "a rule this near a line's top or bottom makes it a table row")
    footer_zone_share: float = _setting(0.75, "share", "below this share of the page height a page number is a footer")
    region_gap_pt: float = _setting(
        0.5, "pt", "a region starts this far below its title block and ends this far above the next line"
    )
    region_foot_pt: float = _setting(1.0, "pt", "a region's last line is kept with this much room below it")
    # grid: columns and rows
    rule_min_length_pt: float = _setting(6.0, "pt", "a vertical rule shorter than this inside a segment is ignored")
    rule_merge_pt: float = _setting(
        2.0, "pt", "rules (and row edges, and two pages' column rules) closer than this are one"
    )
    rule_margin_pt: float = _setting(1.0, "pt", "a horizontal rule this far outside a segment still belongs to it")
    min_column_rules: int = _setting(3, "count", "vertical rules needed to take the columns from rules")
    segment_margin_pt: float = _setting(
        1.0, "pt", "the grid's outer edges lie this far beyond the outermost characters"
    )
    edge_column_pt: float = _setting(3.0, "pt", "text reaching this far beyond the outer rules adds an edge column")
    ruled_cut_margin_pt: float = _setting(3.0, "pt", "a text cut inside a ruled column keeps this far from its rules")
    column_merge_pt: float = _setting(3.0, "pt", "column boundaries closer than this are one")
    corridor_step_pt: float = _setting(0.5, "pt", "resolution of the white-corridor scan", low=0.05)
    corridor_min_width_pt: float = _setting(1.5, "pt", "a white corridor narrower than this separates no columns")
    corridor_cut_offset_pt: float = _setting(
        2.0, "pt", "a corridor is cut this far right of its left edge (at most its middle)"
    )
    token_gap_pt: float = _setting(2.0, "pt", "a gap wider than this ends a token when lines are tested for figures")
    min_figure_lines: int = _setting(
        2, "count", "lines of figures needed to cut an unruled table's columns from them alone"
    )
    min_corridor_lines: int = _setting(
        2, "count", "lines besides total rows needed to leave the total rows out of the corridors"
    )
    row_edge_min_pt: float = _setting(0.1, "pt", "row cuts closer than this are one")
    body_top_margin_pt: float = _setting(0.5, "pt", "the body starts this far above its first line of figures")
    # cells
    space_gap_share: float = _setting(0.35, "share", "a gap wider than this share of the font size is a space")
    word_gap_share: float = _setting(0.6, "share", "a gap wider than this share of the font size ends a header word")
    column_gap_pt: float = _setting(1.0, "pt", "white between two characters a column boundary may pass through")
    boundary_slack_pt: float = _setting(0.5, "pt", "a column boundary this near a gap's ends lies in the gap")
    cell_margin_pt: float = _setting(2.0, "pt", "characters this far outside the outer columns are still in the grid")
    rule_reach_pt: float = _setting(1.0, "pt", "a vertical rule crosses a line whose centre is within this of its ends")
    ruled_span_slack_pt: float = _setting(1.0, "pt", "a rule this far inside a header word still bounds its ruled cell")
    ruled_span_column_slack_pt: float = _setting(
        2.0, "pt", "a column this far outside a ruled cell's rules is still in it"
    )
    header_cover_share: float = _setting(
        0.5, "share", "a header word is in a column when it covers more than this share of its width"
    )
    # reading: rows and column roles
    figure_min_digits: int = _setting(3, "chars", "an integer without separators is a figure from this many digits")
    header_only_rows: int = _setting(2, "count", "first body rows cleared of header words (类 | 款 | 项)")
    label_cjk_share: float = _setting(0.5, "share", "share of a column's cells in Chinese that makes it a label column")
    code_share: float = _setting(
        0.8, "share", "share of a column's cells (totals aside) that are codes for a code column"
    )
    value_share: float = _setting(0.5, "share", "share of a column's cells that are numbers for a value column")
    code_lookahead_columns: int = _setting(
        3, "count", "a code column has a label column within this many columns right"
    )
    short_label_max_chars: int = _setting(
        6, "chars", "a label spilling into the code columns (合计) is at most this long"
    )
    line_no_max_digits: int = _setting(3, "chars", "a 行次 number has at most this many digits")
    section_word_slack_chars: int = _setting(
        4, "chars", "a panel word (收入, 支出) may be printed with this many more characters"
    )
    same_column_overlap_share: float = _setting(
        0.8, "share", "overlap (of the narrower) that makes two pages' columns one"
    )
    moved_label_min_chars: int = _setting(2, "chars", "a label centred over the next panel is at least this long")
    total_tail_max_chars: int = _setting(
        2, "chars", "a total label this short at a page's top is the tail of a cut label"
    )
    unlabelled_min_figure_rows: int = _setting(
        2, "count", "rows of figures a table needs before an unlabelled row is an issue"
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            unit = f.metadata["unit"]
            kind, low, high = UNITS[unit]
            low = low if f.metadata["low"] is None else f.metadata["low"]
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or (kind is int and not isinstance(value, int))
            ):
                what = "an integer" if kind is int else "a number"
                raise SettingsError(f"EngineSettings.{f.name} = {value!r}: must be {what} ({unit})")
            if not low <= value <= high:  # NaN too
                meaning = f.metadata["meaning"]
                raise SettingsError(
                    f"EngineSettings.{f.name} = {value!r}: must be {low:g} to {high:g} {unit} ({meaning})"
                )

    @classmethod
    def describe(cls) -> list[tuple[str, object, str, str]]:
        """(name, default, unit, meaning) of every setting."""
        return [(f.name, f.default, f.metadata["unit"], f.metadata["meaning"]) for f in fields(cls)]


DEFAULT_SETTINGS = EngineSettings()
