"""Homes and locality capacities: routes, service, repository, schemas, mappers."""
