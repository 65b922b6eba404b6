"""The import direction of ``docs/architecture.md``, enforced on the source: every
``import`` of a package module (at module level or inside a function) goes to a layer at or
below the importing module's own.  Layers, bottom up:

0. leaves: ``models``, ``errors``, ``paths``, ``schema``, ``catalog``, ``vocab``
1. ``parse.*`` (the stages) and ``store`` (tables and manifest on disk); neither imports the other
2. ``corpus`` (the public API) and the package's ``__init__``
3. ``analysis.*`` (compute only)
4. ``plots.*`` (figures of the analyses)
5. ``release.*`` (build, gallery, data package, command line, notebook runner)
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import treatydrafts

PKG = Path(treatydrafts.__file__).resolve().parent
LEAVES = {"models", "errors", "paths", "schema", "catalog", "vocab"}


def layer(module: str) -> tuple[int, str]:
    """``(rank, group)`` of a module name relative to the package (``parse.brackets``)."""
    head = module.split(".")[0]
    if module in LEAVES:
        return 0, "leaf"
    if head == "parse":
        return 1, "parse"
    if module == "store":
        return 1, "store"
    if module in ("corpus", "__init__"):
        return 2, "api"
    return {"analysis": (3, "analysis"), "plots": (4, "plots"), "release": (5, "release")}[head]


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        out[".".join(parts)] = p
    return out


def _relative(full: str) -> str | None:
    """``treatydrafts.parse.brackets`` → ``parse.brackets``; ``treatydrafts`` → ``__init__``; else None."""
    if full == "treatydrafts":
        return "__init__"
    if full.startswith("treatydrafts."):
        return full[len("treatydrafts."):]
    return None


def package_imports(name: str, path: Path) -> list[tuple[int, str]]:
    """``(line, imported module relative to the package)`` for every import of a package module:
    ``from X import y`` counts ``X.y`` when that is a module, else ``X``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".")[:-1]  # the package holding the module (or the package itself, for __init__)
    known = set(modules()) | {m[:-len(".__init__")] for m in modules() if m.endswith(".__init__")}
    out = []
    for node in ast.walk(tree):
        found = []
        if isinstance(node, ast.Import):
            found = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            if node.level:
                parts = ["treatydrafts", *package][:len(package) + 2 - node.level]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for a in node.names:
                sub = _relative(f"{base}.{a.name}")
                found.append(f"{base}.{a.name}" if sub in known else base)
        for full in found:
            rel = _relative(full)
            if rel is not None and (rel in known or rel == "__init__"):
                out.append((node.lineno, rel))
    return out


def test_every_module_has_a_layer():
    for name in modules():
        layer(name)


@pytest.mark.parametrize("name", sorted(modules()))
def test_imports_point_down(name):
    rank, group = layer(name)
    bad = []
    for line, target in package_imports(name, modules()[name]):
        t_name = target[:-len(".__init__")] if target.endswith(".__init__") else target
        t_rank, t_group = layer(t_name)
        if t_rank > rank or {group, t_group} == {"parse", "store"}:
            bad.append(f"line {line}: {name} ({group}) imports {t_name} ({t_group})")
    assert not bad, "\n".join(bad)


def test_the_checker_sees_a_bad_import(tmp_path, monkeypatch):
    """The check can fail: a parse-stage module importing the build is reported."""
    fake = tmp_path / "bad.py"
    fake.write_text("from ...release import build\n\ndef f():\n    from ... import corpus\n", encoding="utf-8")
    found = package_imports("parse.recover.bad", fake)
    targets = {t for _, t in found}
    assert "release.build" in targets and "corpus" in targets
