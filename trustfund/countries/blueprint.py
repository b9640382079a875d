"""The countries blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("countries", __name__, url_prefix="/countries")
