"""Test-suite settings: the library tests exercise the parser, so the library (``td.load``,
``density.result``) never reads the committed ``data/`` tables here (the notebooks, run by
nbval in their own kernels, do when ``data/`` is fresh; ``test_corpus`` checks both give
the same rows)."""
import treatydrafts.build

treatydrafts.build.READ_BUILT_TABLES = False
