"""The `yujuesuan` command: one module per command group (documents, samples, flows, analysis).

`main` and `build_parser` live in `yujuesuan.cli.main`; the command groups import their heavy
libraries only when their command runs, so `yujuesuan --help` answers quickly.
"""

from yujuesuan.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
