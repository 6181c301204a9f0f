"""The `yujuesuan` command."""

from __future__ import annotations

import argparse
import sys

from yujuesuan import logs
from yujuesuan.cli.analysis import add_commands as add_analysis_commands
from yujuesuan.cli.documents import add_commands as add_document_commands
from yujuesuan.cli.flows import add_commands as add_flow_commands
from yujuesuan.cli.samples import add_commands as add_sample_commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yujuesuan", description="China's 预算/决算 disclosures turned into data.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done")
    sub = parser.add_subparsers(dest="command", required=True)
    add_document_commands(sub)
    add_sample_commands(sub)
    add_flow_commands(sub)
    add_analysis_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logs.setup(None, args.verbose)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
