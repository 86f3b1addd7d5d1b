"""Calibration procedures and persisted profiles."""
