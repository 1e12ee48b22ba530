"""Retention models fitted on recorded outcomes: fit, list, activate for the scorer."""
