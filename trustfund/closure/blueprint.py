"""The closure blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("closure", __name__, url_prefix="/fund")
