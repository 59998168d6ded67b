"""Forms of the inbox: parse and validate; services write."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms

from listening.inbox.models import Category, Priority, Status
from listening.models import Platform, Query, Sentiment
from socialhub.models import User

MAX_RANGE_DAYS = 3 * 366


class InboxFilterForm(forms.Form):
    """The inbox filters; an unknown value is ignored with a message, never a 500."""

    PERIODS = [
        ("", "Any time"),
        ("1", "Last 24 hours"),
        ("7", "Last 7 days"),
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
    ]
    STATUSES = [("open", "Open (new, needs reply, assigned)"), ("all", "Any status")]

    days = forms.ChoiceField(choices=PERIODS, required=False, label="Period")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(choices=[*STATUSES, *Status.choices], required=False)
    assignee = forms.ChoiceField(required=False)
    category = forms.ChoiceField(
        choices=[("", "Any category"), ("none", "Not categorized"), *Category.choices],
        required=False,
    )
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *Platform.choices])
    sentiment = forms.ChoiceField(
        required=False, choices=[("", "Any sentiment"), *Sentiment.choices]
    )
    q = forms.CharField(required=False, max_length=200, label="Search text")

    def __init__(self, *args, assignees: list[User] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            ("me", "Me"),
            ("none", "Nobody"),
            *((str(u.pk), u.display_name) for u in assignees),
        ]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end comes before the start.")
        elif start and end and (end - start).days > MAX_RANGE_DAYS:
            self.add_error("start", "Choose a range of at most three years.")
        return cleaned

    def filters(self, *, now: datetime | None = None) -> dict:
        """The valid filters as the selector takes them (invalid ones are left out)."""
        if not self.is_bound:
            return {"status": "open"}
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        now = now or datetime.now(UTC)
        start, end = data.pop("start", None), data.pop("end", None)
        days = data.pop("days", "")
        if "start" in self.errors or "end" in self.errors:
            start = end = None
        if start or end:
            data["start"] = datetime.combine(start or date.min, time.min, tzinfo=UTC)
            data["end"] = datetime.combine(end or now.date(), time.max, tzinfo=UTC)
        elif days:
            data["start"], data["end"] = now - timedelta(days=int(days)), None
        return data


class BulkActionForm(forms.Form):
    """An action on the ticked items of the list (or on one, from a keyboard shortcut)."""

    ACTIONS = [("assign", "Assign"), ("status", "Set status"), ("category", "Set category")]

    action = forms.ChoiceField(choices=ACTIONS)
    items = forms.TypedMultipleChoiceField(coerce=int, choices=())
    assignee = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "—"), *Status.choices])
    category = forms.ChoiceField(
        required=False, choices=[("", "—"), ("none", "No category"), *Category.choices]
    )

    def __init__(self, *args, item_ids=(), assignees: list[User] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the view keeps only the brand's own items.
        self.fields["items"].choices = [(str(i), str(i)) for i in item_ids]
        self.fields["items"].error_messages["required"] = "Tick at least one item."
        self.fields["assignee"].choices = [
            ("", "—"),
            ("me", "Me"),
            ("none", "Nobody"),
            *((str(u.pk), u.display_name) for u in assignees),
        ]

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "assign" and not cleaned.get("assignee"):
            self.add_error("assignee", "Choose who gets the items.")
        if action == "status" and not cleaned.get("status"):
            self.add_error("status", "Choose a status.")
        if action == "category" and not cleaned.get("category"):
            self.add_error("category", "Choose a category.")
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(required=False)

    def __init__(self, *args, assignees: list[User] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Nobody"),
            *((str(u.pk), u.display_name) for u in assignees),
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class CategoryForm(forms.Form):
    category = forms.ChoiceField(required=False, choices=[("", "No category"), *Category.choices])


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Computed"), *Priority.choices],
    )


class NoteForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)

    text = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label="Internal note"
    )


class ReplyForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)

    text = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Reply sent",
        help_text="What was posted in answer (send it on the platform, then record it here).",
    )
    url = forms.URLField(
        required=False,
        max_length=1000,
        label="Link to the reply",
        assume_scheme="https",
    )


class InboxSettingsForm(forms.Form):
    sla_hours = forms.DecimalField(
        min_value=0.1,
        max_value=720,
        decimal_places=2,
        label="Response SLA (hours)",
        help_text="Every mention should get its first response within this time.",
    )
    monitor_default_kinds = forms.BooleanField(
        required=False, label="Monitor every brand, person and product query (new ones too)"
    )
    monitored_queries = forms.ModelMultipleChoiceField(
        queryset=Query.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Used when the box above is not ticked.",
    )

    def __init__(self, *args, queries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if queries is not None:
            self.fields["monitored_queries"].queryset = queries


class RoutingRuleForm(forms.Form):
    keywords = forms.CharField(
        required=False,
        max_length=300,
        help_text="Comma-separated; any of them matches. Leave empty for a category rule.",
    )
    sentiment = forms.ChoiceField(
        required=False, choices=[("", "Any sentiment"), *Sentiment.choices]
    )
    category = forms.ChoiceField(choices=Category.choices)
    assignee = forms.ChoiceField(required=False, label="Assign to")

    def __init__(self, *args, assignees: list[User] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", "Nobody"),
            *((str(u.pk), u.display_name) for u in assignees),
        ]
