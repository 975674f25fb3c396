"""Cross-cutting infrastructure: settings, clock, database, errors, auth, audit. Knows no domain."""
