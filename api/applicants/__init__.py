"""The applicant feature: access links, consent, suggestions, accept/decline."""
