"""Deterministic demo data for Zhenjiang (镇江, plate prefix 苏L).

`zhifa.demo.generate.generate()` writes every import file described in
`docs/import-formats.md`; `demo_accounts()` lists the demo logins.
"""
