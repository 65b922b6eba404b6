r"""No catastrophic backtracking, checked on the patterns themselves (not by timing): every compiled
regular expression of the parse stages is read with Python's own regex parser, and no repeat may
hold a body that is *only* repeats (the ``(a+)+`` / ``(\s*x*)*`` shapes, where one stretch of text can
be split between the iterations in exponentially many ways).  A body with a required element outside
its repeats (``(?:,\s*[A-Z]{2})*``: every iteration must consume a comma) is accepted.  This is a
conservative screen for the classic shape, not a proof; speed itself is measured in ``benchmarks/``."""
from __future__ import annotations

import importlib
import pkgutil
import re

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

import pytest

import treatydrafts.parse as parse_pkg

REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, getattr(sre_constants, "POSSESSIVE_REPEAT", None)}


def patterns() -> list[tuple[str, str, str]]:
    """``(module, name, pattern)`` for every module-level compiled regex of the parse package."""
    out = []
    for info in pkgutil.walk_packages(parse_pkg.__path__, parse_pkg.__name__ + "."):
        mod = importlib.import_module(info.name)
        for name, val in vars(mod).items():
            if isinstance(val, re.Pattern):
                out.append((info.name, name, val.pattern))
    return sorted(set(out))


def _required_width(items) -> bool:
    """Does this sequence hold an element outside any repeat that must consume at least one character?"""
    for op, av in items:
        if op in REPEATS:
            lo, hi, sub = av
            if lo >= 1 and hi != sre_constants.MAXREPEAT and _required_width(sub):
                return True  # a bounded repeat of a required element ({2}) is required too
            continue
        if op in (sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY):
            return True
        if op == sre_constants.SUBPATTERN and _required_width(av[-1]):
            return True
        if op == sre_constants.BRANCH and all(_required_width(b) for b in av[1]):
            return True
    return False


def nested_unbounded(pattern: str) -> list[str]:
    """Descriptions of repeats (max > 1) whose body holds an unbounded repeat and nothing required besides."""
    found = []

    def has_unbounded(items) -> bool:
        for op, av in items:
            if op in REPEATS and (av[1] == sre_constants.MAXREPEAT or has_unbounded(av[2])):
                return True
            if op == sre_constants.SUBPATTERN and has_unbounded(av[-1]):
                return True
            if op == sre_constants.BRANCH and any(has_unbounded(b) for b in av[1]):
                return True
        return False

    def walk(items):
        for op, av in items:
            if op in REPEATS:
                lo, hi, sub = av
                if hi > 1 and has_unbounded(sub) and not _required_width(sub):
                    found.append(f"repeat {lo}..{'inf' if hi == sre_constants.MAXREPEAT else hi} of a body that is "
                                 "only repeats")
                walk(sub)
            elif op == sre_constants.SUBPATTERN:
                walk(av[-1])
            elif op == sre_constants.BRANCH:
                for b in av[1]:
                    walk(b)
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                walk(av[1])
    walk(sre_parse.parse(pattern))
    return found


def test_the_check_finds_nested_repeats():
    assert nested_unbounded(r"(a+)+b") and nested_unbounded(r"(?:\s*x*)*y") and nested_unbounded(r"((a|b)+)*c")
    assert not nested_unbounded(r"\[[^\]]{0,700}\]") and not nested_unbounded(r"(?:ab){1,3}c+")
    assert not nested_unbounded(r"(?:[ \t]*,[ \t]*[A-Z]{2})*") and not nested_unbounded(r"((ab)*c)*")


def test_there_are_patterns_to_check():
    assert len(patterns()) > 20


@pytest.mark.parametrize("module, name, pattern", patterns(), ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_no_nested_unbounded_repeat(module, name, pattern):
    assert not nested_unbounded(pattern), f"{module}.{name}: {nested_unbounded(pattern)}"
