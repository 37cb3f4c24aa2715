"""The reference for bench/http.py: the smallest Flask app, served by the same gunicorn config."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def minimal() -> str:
    return "ok"
