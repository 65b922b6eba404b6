"""Analyses: compute only.  Each module reads tables through a corpus (:mod:`treatydrafts.corpus`)
and returns result objects holding its tables; nothing here plots or writes files."""
