"""Ranked matches for a household, best localities, candidates for a vacancy."""
