"""Feature commands (imports, exports, backup, restore) are registered here."""


def register(app) -> None:
    pass
