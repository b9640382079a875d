"""The statements blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("statements", __name__, url_prefix="/statements")
