# Production image: gunicorn serving wsgi:app on port 8000, migrations applied at start.
#   docker build -t trustfund .
#   docker run -p 127.0.0.1:8000:8000 -e SECRET_KEY=... -e DATABASE_URL=postgresql://... \
#     -e PUBLIC_BASE_URL=https://grants.example.org trustfund   (behind the HTTPS proxy: README)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    APP_ENV=production \
    WEB_CONCURRENCY=4

WORKDIR /app

# pg_dump and pg_restore for `flask backup` / `flask restore`. From the PostgreSQL project's own
# Debian repository, at POSTGRES_CLIENT_VERSION: pg_dump refuses a server newer than itself and
# dumps any older one, so the client is at least the server's version (compose.yaml runs
# PostgreSQL 17; decision 0084). The repository's key is fetched over HTTPS, as its
# instructions say.
ARG POSTGRES_CLIENT_VERSION=17
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
        https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && . /etc/os-release \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update \
    && apt-get install -y --no-install-recommends "postgresql-client-${POSTGRES_CLIENT_VERSION}" \
    && apt-get purge -y --auto-remove curl \
    && rm -rf /var/lib/apt/lists/* \
    && pg_dump --version && pg_restore --version

# Dependencies in their own layer: it is rebuilt only when pyproject.toml changes. The list is
# read from pyproject.toml so it is written in one place; the app itself runs from /app.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY wsgi.py ./
COPY config ./config
COPY migrations ./migrations
COPY app ./app
COPY docker ./docker

# Compiled catalogs are build products: made here from the .po files.
RUN pybabel compile -d app/translations \
    && chmod 0755 docker/entrypoint.sh \
    && groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app \
    && mkdir -p /app/instance/uploads /app/instance/backups \
    && chown -R app:app /app/instance

USER app

EXPOSE 8000

# Production answers only requests for PUBLIC_BASE_URL's host (TRUSTED_HOSTS): the check names it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.parse, urllib.request; host = urllib.parse.urlsplit(os.environ['PUBLIC_BASE_URL']).hostname; check = urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}); sys.exit(0 if urllib.request.urlopen(check, timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "--config", "/app/docker/gunicorn.conf.py", "wsgi:app"]
