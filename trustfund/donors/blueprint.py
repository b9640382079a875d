"""The donors blueprint: its view modules import `bp` from here (no import cycle)."""
from flask import Blueprint

bp = Blueprint("donors", __name__, url_prefix="/donors")
