"""The IATI blueprint: its view module imports `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("iati", __name__, url_prefix="/iati")
