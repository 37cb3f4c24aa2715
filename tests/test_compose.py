"""compose.yaml (web, worker, beat, PostgreSQL, Redis, object storage, a mail catcher) holds
together: every service the README names is there, each of the app's commands exists in the app
(the Celery worker and beat, `flask db upgrade`, gunicorn's configuration and `wsgi:app`), every
setting it gives the app is one the app reads, and only the loopback address is published.
The machines that run this suite have no Docker Compose and cannot pull the images, so the file is
read as YAML and not started here (`docker compose config` checks it further where it runs)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")


def test_every_part_of_the_deployment_is_a_service():
    assert set(SERVICES) >= {*APP_SERVICES, "db", "redis", "storage", "mail"}
    assert SERVICES["db"]["image"].startswith("postgres:")
    assert SERVICES["redis"]["image"].startswith("redis:")
    assert SERVICES["storage"]["image"].startswith("minio/minio")
    assert SERVICES["mail"]["image"].startswith("axllent/mailpit")
    for name in APP_SERVICES:
        assert SERVICES[name]["build"] == "."


def test_the_celery_commands_name_the_apps_worker_module():
    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = SERVICES[name]["command"]
        assert command[:4] == ["celery", "-A", "app.worker", subcommand]
    assert importlib.util.find_spec("app.worker") is not None
    source = (ROOT / "app" / "worker.py").read_text()
    assert re.search(r"^celery = ", source, re.MULTILINE)  # what `celery -A app.worker` finds


def test_the_migrations_run_once_before_the_web_and_the_workers(runner):
    command = SERVICES["migrate"]["command"]
    assert command == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert runner.invoke(args=[*command[3:], "--help"]).exit_code == 0
    for name in ("web", "worker", "beat"):
        after = SERVICES[name]["depends_on"]["migrate"]
        assert after["condition"] == "service_completed_successfully"
    # The image's entry point would migrate again before gunicorn: told not to.
    assert SERVICES["web"]["environment"]["RUN_MIGRATIONS"] == "0"
    assert "RUN_MIGRATIONS" in (ROOT / "docker" / "entrypoint.sh").read_text()


def test_the_web_is_gunicorn_with_the_images_configuration():
    command = SERVICES["web"]["command"]
    assert command[:3] == ["gunicorn", "--config", "/app/docker/gunicorn.conf.py"]
    assert (ROOT / "docker" / "gunicorn.conf.py").is_file()  # copied to /app/docker/
    assert "COPY docker ./docker" in (ROOT / "Dockerfile").read_text()
    module, _colon, attribute = command[-1].partition(":")
    assert (module, attribute) == ("wsgi", "app")
    assert re.search(r"^app = ", (ROOT / "wsgi.py").read_text(), re.MULTILINE)


def test_every_setting_given_to_the_app_is_one_it_reads():
    known = "\n".join(
        (ROOT / path).read_text()
        for path in (
            "config/settings.py",
            "app/__init__.py",
            "docker/gunicorn.conf.py",
            "docker/entrypoint.sh",
        )
    )
    for name in APP_SERVICES:
        for variable in SERVICES[name]["environment"]:
            if variable.startswith("AWS_"):
                continue  # boto3 reads them (S3 storage's credentials)
            read = (f'"{variable}"', f"${{{variable}:", f"${{{variable}}}")
            assert any(way in known for way in read), (name, variable)


def test_the_app_uses_the_services_it_is_given():
    environment = SERVICES["web"]["environment"]
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["S3_ENDPOINT_URL"] == "http://storage:9000"
    assert environment["UPLOAD_STORAGE"].startswith("s3://trustfund-uploads/")
    assert "local/trustfund-uploads" in " ".join(SERVICES["storage-bucket"]["command"])
    assert environment["MAIL_SERVER"] == "${MAIL_SERVER:-mail}"
    assert environment["APP_ENV"] == "production"


def test_only_the_loopback_address_is_published():
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_the_image_has_the_postgresql_client_for_backups():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "postgresql-client" in dockerfile
    assert "pg_dump --version" in dockerfile  # the build fails without it
