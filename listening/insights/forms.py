"""The dashboard's filter bar: a period (preset or custom range) and filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django import forms
from django.conf.locale import LANG_INFO

from listening.insights.selectors import MAX_DAYS, Filters, Period, preset_period
from listening.models import Platform, Query, Sentiment

LANGUAGES = sorted({code for code in LANG_INFO if len(code) <= 3} | {"und", "zh"})


class LowercaseMultipleChoiceField(forms.MultipleChoiceField):
    """Language codes are matched case-insensitively (EN is en)."""

    def to_python(self, value):
        return [v.strip().lower() for v in super().to_python(value)]


class DashboardFilterForm(forms.Form):
    """Period presets or a custom range (at most a year), queries, platforms,
    languages and sentiments; each bad value is named with why."""

    PERIODS = [
        ("7", "Last 7 days"),
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
        ("", "Custom range"),
    ]

    days = forms.ChoiceField(choices=PERIODS, required=False, initial="30", label="Period")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    query = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        label="Queries",
        error_messages={
            "invalid_choice": "Query %(value)s is not one of this brand's queries (deleted?)."
        },
    )
    platform = forms.MultipleChoiceField(
        required=False,
        choices=Platform.choices,
        label="Platforms",
        error_messages={"invalid_choice": "“%(value)s” is not a platform we listen to."},
    )
    lang = LowercaseMultipleChoiceField(
        required=False,
        choices=[(c, c) for c in LANGUAGES],
        label="Languages",
        error_messages={"invalid_choice": "“%(value)s” is not a language code (e.g. en, de, zh)."},
    )
    sentiment = forms.MultipleChoiceField(
        required=False,
        choices=Sentiment.choices,
        label="Sentiment",
        error_messages={"invalid_choice": "Choose negative, neutral or positive, not “%(value)s”."},
    )

    def __init__(self, *args, queries: list[Query] = (), today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or datetime.now(UTC).date()
        self.fields["query"].choices = [(q.pk, q.name) for q in queries]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start or end:
            end = end or self.today
            start = start or end - timedelta(days=29)
            if end < start:
                self.add_error("end", "The end comes before the start.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "start",
                    f"Choose a range of at most {MAX_DAYS} days (this one has "
                    f"{(end - start).days + 1}).",
                )
            else:
                cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> Period:
        """The chosen period; the last 30 days if none (or an invalid one) was chosen."""
        data = self.cleaned_data if self.is_bound else {}
        if not self.errors.get("start") and not self.errors.get("end"):
            if data.get("start") and data.get("end"):
                return Period(data["start"], data["end"])
        days = data.get("days") if "days" not in self.errors else None
        return preset_period(int(days or 30), today=self.today)

    def filters(self) -> Filters:
        """The valid filters (a field with an error is left out, with its message)."""
        data = self.cleaned_data if self.is_bound else {}

        def pick(name):
            return tuple(data.get(name) or ()) if name not in self.errors else ()

        return Filters(
            queries=pick("query"),
            platforms=pick("platform"),
            languages=pick("lang"),
            sentiments=pick("sentiment"),
        )
