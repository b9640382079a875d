"""Find anything: the search box of the bar and its results page."""
