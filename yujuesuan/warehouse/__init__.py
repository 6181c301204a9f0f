"""The warehouse: the published Parquet tables on disk (store), their Arrow schemas and column
descriptions, unit identity across documents, the data package, and compaction."""
