"""Entry point for gunicorn: `gunicorn wsgi:app` (TRUSTFUND_CONFIG=production)."""
from trustfund import create_app

app = create_app()
