"""Command line: ``treatydrafts build`` and friends.

Exit status: 0 on success, 1 when the command cannot do what was asked (unknown
document or line, no build step matching ``--only``, an output folder that
cannot be written), 2 for a malformed command line (argparse).  Every error
is one ``treatydrafts: error: …`` line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import __version__, paths


class CommandError(Exception):
    """The command cannot do what was asked (exit status 1)."""


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def writable_dir(path: Path | None, what: str) -> Path | None:
    """``path`` created if needed; :class:`CommandError` when it cannot be created or written."""
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"cannot create the {what} folder {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise CommandError(f"cannot write to the {what} folder {path}")
    return path


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="treatydrafts",
        description="Parse the UN cybercrime convention drafts (seeds/) into traceable tables (data/) "
                    "and figures (figures/).",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    b = sub.add_parser("build", help="parse every source; write data/*.csv + *.parquet, docs/data-dictionary.md "
                                     "and figures/ (progress on stderr)")
    b.add_argument("--data-dir", type=Path, default=None,
                   help="where to write tables (default: data/ of the checkout; ./data for an installed package)")
    b.add_argument("--figures-dir", type=Path, default=None,
                   help="where to write figures (default: figures/ of the checkout; ./figures for an installed package)")
    b.add_argument("--only", default=None, metavar="TEXT", help="run only the steps whose name contains TEXT")
    b.add_argument("--force", action="store_true",
                   help="run every step, even those whose inputs and outputs are unchanged since the last build")
    b.add_argument("--jobs", type=positive_int, default=None, metavar="N",
                   help="worker processes for the analysis steps (at least 1; default: up to 2 cores; 1 = sequential)")
    sub.add_parser("documents", help="list the source documents (catalogue)")
    sub.add_parser("counts", help="rows per table per document, as a table")
    s = sub.add_parser("show", help="print a source line (decoded) with its role")
    s.add_argument("doc_id", help="document id (see `treatydrafts documents`)")
    s.add_argument("line", type=int, help="1-based line number")
    return p


def build(args) -> None:
    from . import build as runner

    names = [s.name for s in runner.STEPS]  # the runner's list (what ``run`` will run)
    if args.only is not None and not any(args.only in n for n in names):
        raise CommandError(f"no build step matches --only {args.only!r}; the steps are: {', '.join(names)}")
    data_dir = args.data_dir
    if data_dir is None and paths.INSTALLED:  # never into site-packages
        data_dir = paths.OUTPUT / "data"
    writable_dir(data_dir, "data")
    writable_dir(args.figures_dir, "figures")
    runner.run(data_dir, args.figures_dir, args.only, force=args.force, jobs=args.jobs)


def counts() -> None:
    import pandas as pd

    import treatydrafts as td

    rows = {d: td.load(d).counts() for d in td.documents().doc_id}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "doc_id"
    print(table.to_string())


def show(doc_id: str, line: int) -> None:
    import treatydrafts as td

    draft = td.load(doc_id)
    row = draft.lines[draft.lines.line == line]
    if row.empty:
        raise CommandError(f"{doc_id} has no line {line} (it has lines 1 to {len(draft.lines)})")
    print(f"{doc_id}:{line} [{row.role.iloc[0]}] {draft.source_line(line)}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)

    from ..errors import BuildInterruptedError, TreatyDraftsError

    try:
        if args.command == "build":
            build(args)
        elif args.command == "documents":
            import treatydrafts as td

            print(td.documents()[["doc_id", "file", "session", "date", "kind"]].to_string(index=False))
        elif args.command == "counts":
            counts()
        elif args.command == "show":
            show(args.doc_id, args.line)
    except BuildInterruptedError as exc:  # Ctrl-C / SIGTERM: one line, no traceback
        print(f"treatydrafts: {exc}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("treatydrafts: interrupted", file=sys.stderr)
        return 130
    except (CommandError, TreatyDraftsError) as exc:
        print(f"treatydrafts: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. a folder that became unwritable during the build
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"treatydrafts: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
