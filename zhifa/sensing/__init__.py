"""Sensing: devices (cameras, weigh-in-motion, AIS receivers, checkpoints), durable event
ingestion, AIS decoding, the evidence store."""
