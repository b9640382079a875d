"""Entry point for gunicorn: `gunicorn wsgi:app` (TRUSTFUND_CONFIG=production)."""
from trustfund import create_app, settle_memory

app = create_app()
settle_memory()
