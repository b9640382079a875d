"""The travel pages: events and participation reports (events.py); grants, the review
queue and decisions (grants.py). Every module adds its views to the blueprint of
../blueprint.py."""
