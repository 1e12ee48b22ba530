"""``python -m api.cli``: the same commands as ``qonys``."""

from api.cli import app

app()
