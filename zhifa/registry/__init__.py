"""Regulated entities (管理对象): enterprises, vehicles, oversize permits, vessels, persons, sites."""
