"""Forms of the alerts pages: a rule, and the history's filters."""

from __future__ import annotations

from django import forms

from listening.alerts import selectors
from listening.alerts.models import AlertKind, AlertRule


class AlertRuleForm(forms.ModelForm):
    """A rule of the brand; the query and recipients offered are the brand's own."""

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "query",
            "method",
            "threshold",
            "min_count",
            "keyword",
            "window_hours",
            "baseline_days",
            "cooldown_hours",
            "recipients",
            "is_active",
        ]
        labels = {
            "min_count": "Minimum mentions",
            "window_hours": "Window (hours)",
            "baseline_days": "Baseline (days)",
            "cooldown_hours": "Cool-down (hours)",
            "is_active": "Active",
            "query": "Query scope",
        }
        help_texts = {
            "min_count": (
                "The fewest mentions in the window that may raise an alert: 10 or more "
                "for spikes and shares, 1 for big accounts and keywords."
            ),
        }
        widgets = {"recipients": forms.CheckboxSelectMultiple}

    def __init__(self, *args, brand, queries, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.brand = brand
        self.fields["query"].queryset = queries
        self.fields["query"].empty_label = "The brand's own queries"
        self.fields["recipients"].queryset = selectors.alert_recipient_choices(brand)
        self.fields["recipients"].label_from_instance = lambda u: f"{u.display_name} <{u.email}>"

    def _post_clean(self):
        # The service checks the model (with the brand) and says which field is wrong.
        pass


class AlertFilterForm(forms.Form):
    """The alert history's filters; unknown values are ignored with a message."""

    rule = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *AlertKind.choices])
    acknowledged = forms.ChoiceField(
        required=False,
        choices=[("", "Acknowledged or not"), ("no", "Not acknowledged"), ("yes", "Acknowledged")],
    )

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "Any rule")] + [(r.pk, r.name) for r in rules]
