"""Command and dispatch: triage, tasks, SLA ladders, response plans, off-site enforcement."""
