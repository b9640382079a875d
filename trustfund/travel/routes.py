from flask import Blueprint

bp = Blueprint("travel", __name__, url_prefix="/travel")
