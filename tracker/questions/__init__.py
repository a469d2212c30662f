"""A sponsor's own qualifying questions: defined by managers, answered at the booth, read everywhere."""
