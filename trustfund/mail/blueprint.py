"""The outbox's blueprint: its view module imports `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/admin/mail")
