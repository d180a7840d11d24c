"""Fitting weights to data: estimation, calibration, SEM, validation, synthetic data."""
