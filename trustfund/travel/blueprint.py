"""The travel blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("travel", __name__, url_prefix="/travel")
