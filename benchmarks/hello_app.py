"""The reference for bench_http.py: the smallest Flask app, under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, world!"
