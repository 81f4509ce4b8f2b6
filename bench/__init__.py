"""Benchmarks: one script per headline figure, printing medians and ratios."""
