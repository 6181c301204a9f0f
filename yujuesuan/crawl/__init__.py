"""The crawl: sources (one YAML file each) visited by their adapters, documents downloaded once into
the raw store (content-addressed by sha256), and what each visit found (downloads, issues, health)."""
