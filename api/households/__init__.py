"""Households and their members: routes, service, repository, schemas, mappers."""
