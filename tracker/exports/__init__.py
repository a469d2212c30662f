"""Exports: a concrete export yields sheets of a header and rows; ``base`` writes XLSX or CSV."""
