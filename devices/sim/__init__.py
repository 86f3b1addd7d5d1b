"""Simulated backends: scripted operator, kinematic Vega-1, Sharpa hands, tactile, cameras."""
