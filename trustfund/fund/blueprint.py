"""The fund's blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("fund", __name__, url_prefix="/fund")
