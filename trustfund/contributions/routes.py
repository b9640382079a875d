from flask import Blueprint

bp = Blueprint("contributions", __name__, url_prefix="/contributions")
