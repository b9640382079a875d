"""The search blueprint: its view module imports `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")
