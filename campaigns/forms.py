"""Forms of the campaign pages: a campaign, a KPI, a team figure, the list filter.
They parse and offer the brand's own choices; the services check the rules."""

from __future__ import annotations

from django import forms

from campaigns import kpis as catalogue
from campaigns import selectors, services
from campaigns.models import Campaign, Kpi

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignForm(forms.Form):
    """A campaign of the brand: the channels, owner and queries offered are its own."""

    name = forms.CharField(max_length=160)
    objective = forms.ChoiceField(choices=Campaign.Objective.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    budget = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(
        max_length=3,
        initial="EUR",
        help_text="ISO 4217 code, e.g. EUR, USD, GBP.",
        widget=forms.TextInput(attrs={"list": "currency-codes", "autocomplete": "off"}),
    )
    channels = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    hashtags = forms.CharField(
        required=False, help_text="Separated by spaces or commas; the # is optional."
    )
    tracked_links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One web address per line (with its UTM parameters).",
    )
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    status = forms.ChoiceField(choices=Campaign.Status.choices, initial=Campaign.Status.PLANNED)
    queries = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The listening queries that measure the campaign (none: the brand's own).",
    )
    create_hashtag_query = forms.BooleanField(
        required=False,
        label="Create a campaign query for the hashtags",
        help_text="A listening query “#tag1 OR #tag2” of kind campaign, attached to it.",
    )

    def __init__(self, *args, brand, instance: Campaign | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{name: getattr(instance, name) for name in services.CAMPAIGN_FIELDS},
                "hashtags": " ".join(f"#{t}" for t in instance.hashtags),
                "tracked_links": "\n".join(instance.tracked_links),
                "owner": instance.owner_id,
                "channels": [c.pk for c in instance.channels.all()],
                "queries": [q.pk for q in instance.queries.all()],
            }
        super().__init__(*args, **kwargs)
        self.fields["channels"].queryset = selectors.campaign_channel_choices(brand)
        self.fields["owner"].queryset = selectors.campaign_owner_choices(brand)
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name} <{u.email}>"
        self.fields["queries"].queryset = selectors.campaign_query_choices(brand)
        self.fields["queries"].label_from_instance = lambda q: f"{q.name} ({q.get_kind_display()})"

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date comes before the start date.")
        if cleaned.get("create_hashtag_query") and not (cleaned.get("hashtags") or "").strip():
            self.add_error("hashtags", "Add hashtags to create a query for them.")
        return cleaned


class KpiForm(forms.Form):
    """A goal from the catalogue; the baseline is typed only for entered metrics."""

    metric = forms.ChoiceField(choices=catalogue.METRIC_CHOICES)
    label = forms.CharField(
        max_length=120, required=False, help_text="Optional; the metric's name otherwise."
    )
    target_kind = forms.ChoiceField(choices=Kpi.TargetKind.choices, label="Target is")
    target = forms.DecimalField(max_digits=18, decimal_places=4)
    direction = forms.ChoiceField(
        choices=[("", "The metric's usual direction"), *Kpi.Direction.choices], required=False
    )
    plan = forms.ChoiceField(choices=Kpi.Plan.choices, initial=Kpi.Plan.LINEAR)
    baseline = forms.DecimalField(
        max_digits=18,
        decimal_places=4,
        required=False,
        help_text="Only for figures the team enters; computed KPIs measure theirs from the "
        "period before the campaign.",
    )
    follower_threshold = forms.IntegerField(
        min_value=0,
        initial=10_000,
        required=False,
        help_text="Mentions by influencers: authors with at least this many followers.",
    )

    def __init__(self, *args, instance: Kpi | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(instance, name) for name in services.KPI_FIELDS}
        super().__init__(*args, **kwargs)

    def clean_follower_threshold(self):
        value = self.cleaned_data.get("follower_threshold")
        return 10_000 if value is None else value


class KpiEntryForm(forms.Form):
    """A figure the team knows (impressions, clicks...) for a date."""

    metric = forms.ChoiceField(
        choices=[(k, catalogue.CATALOGUE[k].label) for k in catalogue.ENTERED_METRICS],
        label="Figure",
    )
    date = forms.DateField(widget=DATE)
    value = forms.DecimalField(min_value=0, max_digits=18, decimal_places=4)
    note = forms.CharField(max_length=255, required=False)


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Current (not archived)"), *Campaign.Status.choices]
    )
