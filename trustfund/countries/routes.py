from flask import Blueprint

bp = Blueprint("countries", __name__, url_prefix="/countries")
