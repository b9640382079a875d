"""Template filters of the travel pages (registered on the app through the blueprint)."""
from __future__ import annotations

from babel import Locale
from babel.numbers import parse_pattern

from ..language import locale as get_locale
from .blueprint import bp
from .queries import decision_note

# The percentage pattern, parsed once (babel.numbers.format_percent parses it at each
# call: a third of the reports page's time at 300 rows), and the texts made from it:
# a share has four decimals, so there are at most 10,001 per locale.
_PERCENT = parse_pattern("#,##0.0%")
_PERCENT_TEXTS: dict[tuple[str, object], str] = {}


@bp.app_template_filter("travel_percent")
def travel_percent(share) -> str:
    """A share (0 to 1) as the user's locale writes a percentage: 77.8%
    (flask_babel.format_percent(share, "#,##0.0%"), without parsing the pattern again)."""
    if share is None:
        return ""
    locale = get_locale() or Locale.parse("en")
    key = (str(locale), share)
    text = _PERCENT_TEXTS.get(key)
    if text is None:
        if len(_PERCENT_TEXTS) > 50_000:
            _PERCENT_TEXTS.clear()
        text = _PERCENT_TEXTS[key] = _PERCENT.apply(share, locale)
    return text


bp.add_app_template_global(decision_note, "decision_note")
