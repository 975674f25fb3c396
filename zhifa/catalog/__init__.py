"""Enforcement item catalogue (权责清单): items, legal basis and discretion benchmarks."""
