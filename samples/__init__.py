"""Synthetic sample documents with ground truth, and the generator that makes them.

Fake people and companies only: every name, number and address is generated, numbers carry valid
check digits. Used by tests, benchmarks and ``zhengzhao demo``; product code never imports it
except the ``demo`` command.
"""
