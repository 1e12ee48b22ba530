"""Regions, localities, support parameters, and the seed of the reference data."""
