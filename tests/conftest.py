"""Test-suite settings: the library tests exercise the parser, so ``td.load`` never
reads the committed ``data/`` tables here (the notebooks, run by nbval in their own
kernels, do when ``data/`` is fresh; ``test_corpus`` checks both give the same rows)."""
import treatydrafts.corpus

treatydrafts.corpus.READ_BUILT_TABLES = False
