"""Employers and vacancies: routes, service, repository, schemas, mappers."""
