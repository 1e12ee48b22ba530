"""Normalizing titles over HTTP and resolving vacancies' occupation codes."""
