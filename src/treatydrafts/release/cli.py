"""Command line: ``treatydrafts build`` and friends."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="treatydrafts",
        description="Parse the UN cybercrime convention drafts (seeds/) into traceable tables (data/) "
                    "and figures (figures/).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="parse every source; write data/*.csv + *.parquet, docs/data-dictionary.md "
                                     "and figures/ (progress on stderr)")
    b.add_argument("--data-dir", type=Path, default=None, help="where to write tables (default: data/)")
    b.add_argument("--figures-dir", type=Path, default=None, help="where to write figures (default: figures/)")
    b.add_argument("--only", default=None, help="run only the steps whose name contains this text")
    b.add_argument("--force", action="store_true",
                   help="run every step, even those whose inputs and outputs are unchanged since the last build")
    b.add_argument("--jobs", type=int, default=None,
                   help="worker processes for the analysis steps (default: up to 2 cores; 1 = sequential)")
    sub.add_parser("documents", help="list the source documents (catalogue)")
    c = sub.add_parser("counts", help="rows per table per document")
    s = sub.add_parser("show", help="print a source line (decoded) with its role")
    s.add_argument("doc_id")
    s.add_argument("line", type=int)
    args = parser.parse_args(argv)

    from ..errors import BuildInterruptedError, TreatyDraftsError

    try:
        if args.command == "build":
            from .build import run

            run(args.data_dir, args.figures_dir, args.only, force=args.force, jobs=args.jobs)
        elif args.command == "documents":
            import treatydrafts as td

            print(td.documents()[["doc_id", "file", "session", "date", "kind"]].to_string(index=False))
        elif args.command == "counts":
            import treatydrafts as td

            for d in td.documents().doc_id:
                print(d, td.load(d).counts())
        elif args.command == "show":
            import treatydrafts as td

            draft = td.load(args.doc_id)
            row = draft.lines[draft.lines.line == args.line]
            if row.empty:
                raise SystemExit(f"{args.doc_id} has no line {args.line}")
            print(f"{args.doc_id}:{args.line} [{row.role.iloc[0]}] {draft.source_line(args.line)}")
    except BuildInterruptedError as exc:  # Ctrl-C / SIGTERM: one line, no traceback
        print(f"treatydrafts: {exc}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("treatydrafts: interrupted", file=sys.stderr)
        return 130
    except TreatyDraftsError as exc:
        print(f"treatydrafts: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
