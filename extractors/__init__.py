"""yujuesuan extractors: a pure library, bytes or a path in, typed records out.

It never touches the network, never writes files and never imports Prefect.
The stages of the table engine are separate modules, each inspectable on its own:

    layout  (page -> chars + ruling lines)
    locate  (pages -> table regions, by title)
    grid    (region -> column and row boundaries)
    cells   (grid + chars -> cell texts with boxes)
    reading (cells + spec -> column roles, header paths, header and body rows)
    rows    (body rows -> line items, in named passes)

`reader.TableReader` runs them and keeps each stage's result (regions, grids, matrices,
headers, columns, items); `settings.EngineSettings` holds every tolerance they use.
"""

from extractors.records import Document, LineItem, QualityIssue, TableResult

__all__ = ["Document", "LineItem", "QualityIssue", "TableResult"]
