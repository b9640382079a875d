"""The documents blueprint: its view module imports `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")
