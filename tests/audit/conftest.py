"""The page fixtures (a signed-in staff user's client) for the audit and outcome tests."""

from tests.web.conftest import staff_user, web  # noqa: F401
