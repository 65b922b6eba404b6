"""Test-suite settings.

The library tests exercise the parser: tests that load drafts use a
``treatydrafts.Corpus(read_built=False)``, which never reads the committed
``data/`` tables (the notebooks, run by nbval in their own kernels, do when
``data/`` is fresh; ``test_build`` checks both give the same rows).
"""
