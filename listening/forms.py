"""Forms of the listening app: parse and validate; services write."""

from __future__ import annotations

from django import forms

from listening.importers import REQUIRED
from listening.models import Platform, Query, Sentiment, Source
from socialhub.forms import LanguagesField

# Per kind: the settings a person types, as (key, label, help, required).
SOURCE_SETTINGS: dict[str, list[tuple[str, str, str, bool]]] = {
    Source.Kind.RSS: [
        (
            "url",
            "Feed address",
            "An RSS or Atom feed: news, blogs, Google Alerts, Reddit, "
            "YouTube or Mastodon tag feeds.",
            True,
        ),
    ],
    Source.Kind.MASTODON: [
        ("instance", "Instance", "e.g. mastodon.social", True),
        ("tag", "Hashtag", "Without the #; its public timeline is followed.", False),
        ("query", "Search", "Full-text search (needs an access token).", False),
        ("access_token", "Access token", "Only for search.", False),
    ],
    Source.Kind.BLUESKY: [
        ("query", "Search", "Bluesky post search, e.g. acme OR #acme", True),
        ("handle", "Account handle", "Bluesky often refuses anonymous search: sign in.", False),
        ("app_password", "App password", "Create one in Bluesky's settings.", False),
    ],
    Source.Kind.REDDIT: [
        ("query", "Search", "Reddit search, e.g. acme headphones", False),
        ("subreddit", "Subreddit", "Limit to one subreddit (without r/).", False),
        ("client_id", "OAuth client id", "Optional: higher rate limits.", False),
        ("client_secret", "OAuth client secret", "", False),
    ],
    Source.Kind.HACKERNEWS: [("query", "Search", "Stories and comments, e.g. acme", True)],
    Source.Kind.FILE: [],
    Source.Kind.PUSH: [],
}
SECRET_KEYS = {"access_token", "client_secret", "app_password"}


class SourceForm(forms.Form):
    """A source: its kind, and the settings that kind needs (validated by its connector)."""

    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Source.Kind.choices)
    poll_interval = forms.IntegerField(
        min_value=1, max_value=1440, initial=15, label="Fetch every (minutes)"
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, instance: Source | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            # The instance's values, under whatever initial the view passes (a FormView
            # passes an empty dict); the disabled kind field takes its value from here.
            kwargs["initial"] = {
                "name": instance.name,
                "kind": instance.kind,
                "poll_interval": instance.poll_interval,
                "is_active": instance.is_active,
                **{f"cfg_{k}": v for k, v in instance.config.items() if k not in SECRET_KEYS},
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        seen = set()
        for settings in SOURCE_SETTINGS.values():
            for key, label, help_text, _required in settings:
                if key in seen:
                    continue
                seen.add(key)
                widget = forms.PasswordInput(render_value=False) if key in SECRET_KEYS else None
                self.fields[f"cfg_{key}"] = forms.CharField(
                    label=label, help_text=help_text, required=False, widget=widget
                )
                self.fields[f"cfg_{key}"].widget.attrs["data-kinds"] = " ".join(
                    k for k, s in SOURCE_SETTINGS.items() if any(x[0] == key for x in s)
                )
        if instance is not None:
            self.fields["kind"].disabled = True

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind") or (self.instance and self.instance.kind)
        settings = SOURCE_SETTINGS.get(kind, [])
        # Settings the form does not show (e.g. max_pages set through the API) are kept.
        shown = {key for key, *_rest in settings}
        kept = self.instance.config if self.instance is not None else {}
        config = {k: v for k, v in kept.items() if k not in shown}
        for key, label, _help, required in settings:
            value = (cleaned.get(f"cfg_{key}") or "").strip()
            if not value and key in SECRET_KEYS and self.instance is not None:
                value = self.instance.config.get(key, "")  # kept unless retyped
            if required and not value:
                self.add_error(f"cfg_{key}", f"{label} is needed for this kind of source.")
            if value:
                config[key] = value
        cleaned["config"] = config
        return cleaned

    def config_fields(self):
        return [self[name] for name in self.fields if name.startswith("cfg_")]


class QueryForm(forms.ModelForm):
    """A query: its name, what it is about, its expression and narrowing filters."""

    languages = LanguagesField(help_text="Only posts in these languages (empty: any).")
    platforms = forms.MultipleChoiceField(
        choices=Platform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only posts from these platforms (none ticked: any).",
    )

    class Meta:
        model = Query
        fields = ["name", "kind", "expression", "languages", "platforms", "is_active"]
        widgets = {
            "expression": forms.Textarea(
                attrs={"rows": 4, "spellcheck": "false", "class": "mono", "data-query-editor": ""}
            )
        }
        help_texts = {
            "expression": 'AND, OR, NOT, ( ), "exact phrase", prefix*, #hashtag, @handle, '
            "NEAR/3, term~1 (typos), lang:en, platform:reddit, author:handle",
        }


class MentionFilterForm(forms.Form):
    """The mention stream's filters; unknown values are ignored with a message."""

    PERIODS = [
        ("1", "Last 24 hours"),
        ("7", "Last 7 days"),
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
        ("", "Custom range"),
    ]

    q = forms.CharField(required=False, label="Search text")
    days = forms.ChoiceField(choices=PERIODS, required=False, initial="30", label="Period")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    query = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *Platform.choices])
    sentiment = forms.ChoiceField(
        required=False, choices=[("", "Any sentiment"), *Sentiment.choices]
    )
    lang = forms.CharField(required=False, max_length=8, label="Language")

    def __init__(self, *args, queries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["query"].choices = [("", "Any query")] + [(q.pk, q.name) for q in queries]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end comes before the start.")
        if start and end and (end - start).days > 3 * 366:
            self.add_error("start", "Choose a range of at most three years.")
        return cleaned


class SentimentForm(forms.Form):
    sentiment = forms.ChoiceField(choices=Sentiment.choices)


class PhraseRuleForm(forms.Form):
    phrase = forms.CharField(max_length=200)
    sentiment = forms.ChoiceField(choices=Sentiment.choices)


# Our fields an import can fill, in the order the mapping step shows them:
# (field, label, what it is for).
IMPORT_FIELDS: list[tuple[str, str, str]] = [
    ("text", "Text", "The post itself; rows without text are reported, not imported."),
    ("published_at", "Published at", "When it was posted: every mention is placed in time."),
    ("url", "URL", "A link to the original post."),
    (
        "external_id",
        "Post id",
        "The id the source gave the post; without one, an id is made from the row so a "
        "re-import stores nothing twice.",
    ),
    ("platform", "Platform", "Where it was posted; the default below is used when missing."),
    ("author_handle", "Author handle", "The author's user name on the platform."),
    ("author_name", "Author name", "The author's display name."),
    ("author_followers", "Author followers", "A whole number."),
    ("lang", "Language", "An ISO code such as en; detected from the text when missing."),
    ("likes", "Likes", "A whole number."),
    ("shares", "Shares", "A whole number."),
    ("replies", "Replies", "A whole number."),
    ("reach", "Reach", "A whole number."),
]


class ImportUploadForm(forms.Form):
    """Step 1 of a file import: the export to read."""

    file = forms.FileField(
        label="Export file",
        help_text="CSV, JSON, JSONL or XLSX, up to 50 MB.",
        error_messages={
            "required": "Choose a file to import.",
            "empty": "The file is empty.",
        },
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.tsv,.txt,.json,.jsonl,.ndjson,.xlsx"}
        ),
    )


class ImportColumnsForm(forms.Form):
    """Step 2 of a file import: which of the file's columns holds each of our fields."""

    default_platform = forms.ChoiceField(
        choices=Platform.choices,
        initial=Platform.IMPORT,
        label="Platform for rows without one",
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in the file —")] + [(c, c) for c in columns if c]
        for name, label, help_text in IMPORT_FIELDS:
            required = name in REQUIRED
            self.fields[f"map_{name}"] = forms.ChoiceField(
                choices=choices,
                required=required,
                label=label,
                help_text=help_text,
                error_messages={
                    "required": f"Choose the column that holds the {label.lower()}: {help_text}",
                    "invalid_choice": "The file has no such column; choose one of the list.",
                },
            )
        # The default platform comes last, after the fields it is about.
        self.order_fields([*(f"map_{name}" for name, _l, _h in IMPORT_FIELDS), "default_platform"])

    def mapping_fields(self):
        return [self[f"map_{name}"] for name, _l, _h in IMPORT_FIELDS]

    @property
    def mapping(self) -> dict[str, str]:
        """Our field → the chosen column (only fields given a column)."""
        return {
            name: self.cleaned_data[f"map_{name}"]
            for name, _l, _h in IMPORT_FIELDS
            if self.cleaned_data.get(f"map_{name}")
        }
