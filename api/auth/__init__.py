"""API tokens, principals and roles."""
