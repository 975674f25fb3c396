"""Monitoring and early warning: rules that turn sensor events into routed, deduplicated leads."""
