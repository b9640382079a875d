"""The fund published to IATI 2.03 (DESIGN.md §6b): one `iati-activities` file built
from the ledger (queries.py, generator.py), checked against the official schema
vendored in vendor/ and a documented subset of the IATI rules (validate.py), written
by `flask --app trustfund export iati` (cli.py) and downloaded by the admin and the
auditor (routes.py)."""
