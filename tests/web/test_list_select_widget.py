"""The list pages' donor filter writes its options itself (speed): the HTML is the
same as wtforms' own select, escapes and the selected option included."""
from wtforms import Form, SelectField
from wtforms.widgets import Select

from trustfund.contributions.routes.lists import ManyOptionsSelect

CHOICES = [("", "All donors"), ("1", "Sweden"), ("2", 'Évil <b>"Donor"</b> & Co\'s =1+1'),
           ("3", "Ω 日本"), ("4", "&amp; already escaped?")]


class _Form(Form):
    donor = SelectField(choices=CHOICES)


def test_the_donor_select_is_the_same_html_as_wtforms_select():
    for selected in ("", "2", "4", "none"):
        form = _Form(data={"donor": selected})
        ours = ManyOptionsSelect()(form.donor)
        theirs = Select()(form.donor)
        assert str(ours) == str(theirs)
        assert "&lt;b&gt;&#34;Donor&#34;&lt;/b&gt; &amp; Co&#39;s" in str(ours)
    form = _Form(data={"donor": "2"})
    assert '<option selected value="2">' in str(ManyOptionsSelect()(form.donor))
