"""Allocation runs: requests → usage → batch/snapshot → job (service) and commit, one way."""
