"""The contributions blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("contributions", __name__, url_prefix="/contributions")
