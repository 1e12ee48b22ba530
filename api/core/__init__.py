"""Shared plumbing below every feature: settings, database, errors, languages, paging, jobs, docs."""
