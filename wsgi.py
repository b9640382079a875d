"""Entry point for gunicorn: `gunicorn wsgi:app` (TRUSTFUND_CONFIG=production)."""
from trustfund import compile_templates, create_app, settle_memory

app = create_app()
compile_templates(app)  # no page waits for its templates in a worker just started
settle_memory()
