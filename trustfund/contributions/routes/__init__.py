"""The contributions' pages: the lists and single records (lists.py), the entry forms
(entries.py), rates, pools, transfers and objectives (fund.py), the .xlsx import
(imports.py). Every module adds its views to the blueprint of ../blueprint.py."""
