# Production image of the Qonys API. `docker compose up` runs migrations, loads the reference
# data, then serves on port 8000.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    QONYS_ENVIRONMENT=production \
    QONYS_HOST=0.0.0.0 \
    QONYS_PORT=8000

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY taxonomy ./taxonomy
COPY matching ./matching
COPY api ./api
COPY data ./data
RUN pip install -e . && useradd --create-home --uid 10001 qonys
USER qonys

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
CMD ["sh", "-c", "qonys db upgrade && qonys seed && qonys serve --host 0.0.0.0 --port 8000 --workers 2"]
