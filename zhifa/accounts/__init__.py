"""Accounts: log in and out, API tokens, users, and reading the audit log."""
