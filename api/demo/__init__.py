"""The demo programme: generated households, vacancies, homes and local-only tokens."""
