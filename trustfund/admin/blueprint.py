"""The admin blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
