"""Feature commands: each feature with a cli.py registers its own commands
(imports, exports, backup, ...) through a register(app) function there."""
import importlib
import importlib.util

FEATURES = ("contributions", "donors", "travel", "statements", "countries", "maintenance")


def register(app) -> None:
    for name in FEATURES:
        if importlib.util.find_spec(f"trustfund.{name}.cli") is None:
            continue
        importlib.import_module(f"trustfund.{name}.cli").register(app)
