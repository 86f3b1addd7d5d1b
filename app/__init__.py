"""Composition root: config, Station, control loop, CLI."""
