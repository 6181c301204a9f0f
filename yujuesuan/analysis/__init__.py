"""The analyst's interface over the warehouse: DuckDB views, named measures, comparisons,
charts, exports and the static overview."""
