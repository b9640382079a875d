"""The fund's life pages (closure blueprint): years.py (closing a year), entries.py
(the fund's own entries and write-offs), closing.py (the pools' decisions and the
financial closure), reports.py (funding status, certified final statements)."""
