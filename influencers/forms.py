"""Forms of the influencer pages: the directory (filters, an influencer, a profile, the
import), discovery's filters, a relationship, its move and an interaction."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.timezone import now

from influencers import importers
from influencers.models import (
    Collaboration,
    Deliverable,
    InfluencerPlatform,
    Interaction,
    Stage,
)
from influencers.tiers import Tier
from listening.models import Query


class DirectoryFilterForm(forms.Form):
    """Search and filters of the directory; an unknown value is ignored with a message."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    tier = forms.ChoiceField(label="Tier", required=False)
    platform = forms.ChoiceField(label="Platform", required=False)
    language = forms.ChoiceField(label="Language", required=False)
    topic = forms.ChoiceField(label="Topic", required=False)
    tag = forms.ChoiceField(label="Tag", required=False)

    def __init__(self, *args, facets: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = "Name, @handle or tag"
        self.fields["tier"].choices = [("", "Any tier"), *Tier.choices]
        self.fields["platform"].choices = [("", "Any platform"), *InfluencerPlatform.choices]
        for name, key in (("language", "languages"), ("topic", "topics"), ("tag", "tags")):
            self.fields[name].choices = [("", f"Any {name}")] + [(v, v) for v in facets[key]]


class CommaListField(forms.CharField):
    """A comma-separated list (tags, topics, languages)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]


class InfluencerForm(forms.Form):
    """An influencer's details (profiles are added on their own form)."""

    name = forms.CharField(max_length=200)
    topics = CommaListField(required=False, help_text="Comma-separated, e.g. running, travel.")
    languages = CommaListField(required=False, help_text="Two-letter codes, e.g. en, de.")
    region = forms.CharField(max_length=120, required=False)
    email = forms.EmailField(required=False, label="Contact email")
    phone = forms.CharField(max_length=40, required=False, label="Contact phone")
    tags = CommaListField(required=False, help_text="Comma-separated.")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ProfileForm(forms.Form):
    """A profile on one platform."""

    platform = forms.ChoiceField(choices=InfluencerPlatform.choices)
    handle = forms.CharField(max_length=255, help_text="Without the leading @.")
    url = forms.URLField(max_length=500, required=False, label="Profile URL", assume_scheme="https")
    followers = forms.IntegerField(min_value=0, required=False, initial=0)


class InfluencerCreateForm(InfluencerForm, ProfileForm):
    """A new influencer with their first profile."""

    field_order = ["name", "platform", "handle", "url", "followers"]


class ImportUploadForm(forms.Form):
    file = forms.FileField(help_text="A CSV or XLSX file with a header row; up to 5,000 rows.")


class ImportMappingForm(forms.Form):
    """Which of the file's columns holds each of our fields."""

    def __init__(self, *args, header: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —")] + [(h, h) for h in header]
        for name in importers.FIELDS:
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=name in importers.REQUIRED,
                initial=initial_mapping.get(name, ""),
                label=name.capitalize(),
            )

    def mapping(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}


class DiscoveryForm(forms.Form):
    """Discovery's period, what was talked about, and the ranking."""

    days = forms.TypedChoiceField(
        label="Period",
        coerce=int,
        choices=[(7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days")],
        initial=30,
        required=False,
    )
    kind = forms.ChoiceField(label="Talking about", required=False)
    query = forms.ModelChoiceField(
        label="Or one query", queryset=Query.objects.none(), required=False
    )
    sort = forms.ChoiceField(
        label="Rank by",
        required=False,
        choices=[
            ("reach", "Reach"),
            ("engagement", "Engagement"),
            ("mentions", "Relevant mentions"),
            ("sentiment", "Sentiment toward the brand"),
        ],
    )

    def __init__(self, *args, queries, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [
            Query.Kind.BRAND,
            Query.Kind.COMPETITOR,
            Query.Kind.PRODUCT,
            Query.Kind.TOPIC,
            Query.Kind.PERSON,
            Query.Kind.CAMPAIGN,
        ]
        self.fields["kind"].choices = [("", "Anything the brand listens for")] + [
            (k.value, k.label) for k in kinds
        ]
        self.fields["query"].queryset = queries
        self.fields["query"].empty_label = "Any query"


class RelationshipForm(forms.Form):
    """The owner and the next step of a relationship."""

    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody yet")
    next_step = forms.CharField(max_length=200, required=False)
    next_step_due = forms.DateField(
        required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.display_name


class RelationshipOpenForm(forms.Form):
    """Open the brand's relationship with an influencer of the directory."""

    influencer = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, influencers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["influencer"].queryset = influencers


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(choices=Interaction.Kind.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = now().date()


class CollaborationForm(forms.Form):
    """A collaboration's terms; deliverables come in their own formset, content URLs
    one per line."""

    campaign = forms.ModelChoiceField(queryset=None, empty_label=None)
    status = forms.ChoiceField(choices=Collaboration.Status.choices)
    fee = forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, initial=0)
    currency = forms.CharField(
        max_length=3, initial="EUR", help_text="ISO 4217 code, e.g. EUR, USD, GBP."
    )
    clicks = forms.IntegerField(
        min_value=0, initial=0, required=False, help_text="Entered by the team."
    )
    links = forms.CharField(
        label="Content URLs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line. Posts by the influencer's profiles during the campaign "
        "are found by listening too.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean_links(self):
        validate = URLValidator(schemes=["http", "https"])
        urls = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        bad = []
        for url in urls:
            try:
                validate(url)
            except ValidationError:
                bad.append(url)
        if bad:
            raise ValidationError(f"Not a web address: {', '.join(bad[:3])}.")
        return urls


class DeliverableForm(forms.Form):
    platform = forms.ChoiceField(choices=[("", "—"), *InfluencerPlatform.choices], required=False)
    format = forms.ChoiceField(choices=Deliverable.Format.choices, required=False)
    count = forms.IntegerField(min_value=1, initial=1, required=False)
    due_date = forms.DateField(
        required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"})
    )

    def has_row(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("platform"))


DeliverableFormSet = forms.formset_factory(DeliverableForm, extra=2, max_num=20)


class CollaborationFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(queryset=None, required=False, empty_label="Any campaign")
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Collaboration.Status.choices], required=False
    )

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
