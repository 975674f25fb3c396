"""Jurisdiction: the strip/block map (editions of road sections, waterway sections, port areas and
blocks) and the router that answers "who owns this?"."""
