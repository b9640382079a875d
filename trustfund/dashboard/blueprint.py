"""The dashboard blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
