"""Figures: one module per analysis, each taking that analysis's results; :mod:`.style` holds the
shared look (palette, sizes) and writes PNG + SVG + PDF and offline HTML."""
