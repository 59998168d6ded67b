"""Forms of the content calendar: channels, posts (with the UTM builder and the brand's
time zone), workflow decisions, approval links and the calendar's filters."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from campaigns.calendar import services
from campaigns.calendar.limits import LIMITS, limit_error
from campaigns.calendar.utm import build_utm_url, utm_values
from campaigns.models import ContentPost, SocialAccount
from socialhub.models import Brand

SECRET_SET = "set — leave blank to keep"


def local_to_utc(brand: Brand, day, at) -> datetime:
    """A date and a wall-clock time in the brand's time zone, as a UTC instant."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(brand.timezone or "UTC")).astimezone(UTC)


class SocialAccountForm(forms.Form):
    """A channel; secrets are never shown back (a stored one reads "set")."""

    platform = forms.ChoiceField(choices=SocialAccount.Platform.choices)
    handle = forms.CharField(
        max_length=255, help_text="e.g. @acme@mastodon.social, acme.bsky.social"
    )
    url = forms.URLField(
        label="Profile address", required=False, max_length=500, assume_scheme="https"
    )
    is_active = forms.BooleanField(
        label="Active (counts for gap warnings)", required=False, initial=True
    )
    instance = forms.URLField(
        label="Mastodon instance",
        required=False,
        assume_scheme="https",
        help_text="e.g. https://mastodon.social",
    )
    access_token = forms.CharField(
        label="Mastodon access token",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="An application token with the write:statuses scope.",
    )
    identifier = forms.CharField(
        label="Bluesky identifier",
        required=False,
        help_text="The handle or email it signs in with.",
    )
    app_password = forms.CharField(
        label="Bluesky app password",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    credentials_expire_at = forms.DateTimeField(
        label="Credentials expire at (UTC)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, instance: SocialAccount | None = None, **kwargs):
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            creds = instance.credentials or {}
            kwargs["initial"] = {
                "platform": instance.platform,
                "handle": instance.handle,
                "url": instance.url,
                "is_active": instance.is_active,
                "instance": creds.get("instance", ""),
                "identifier": creds.get("identifier", ""),
                "credentials_expire_at": instance.credentials_expire_at,
            }
        super().__init__(*args, **kwargs)
        creds = (instance.credentials or {}) if instance else {}
        for key in services.SECRET_KEYS:
            if creds.get(key):
                self.fields[key].widget.attrs["placeholder"] = SECRET_SET
                self.fields[key].help_text = "Stored (set). Leave blank to keep it."

    def clean_credentials_expire_at(self):
        value = self.cleaned_data.get("credentials_expire_at")
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def account_fields(self) -> dict:
        data = self.cleaned_data
        return {
            k: data.get(k)
            for k in ("platform", "handle", "url", "is_active", "credentials_expire_at")
        }

    def credentials(self) -> dict[str, str]:
        data = self.cleaned_data
        if data["platform"] == SocialAccount.Platform.MASTODON:
            return {
                "instance": data.get("instance") or "",
                "access_token": data.get("access_token") or "",
            }
        if data["platform"] == SocialAccount.Platform.BLUESKY:
            return {
                "identifier": data.get("identifier") or "",
                "app_password": data.get("app_password") or "",
            }
        return {}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several images at once; each checked by its bytes and size."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(MultipleImageField, self).clean(f, initial) for f in files]
        errors = []
        for upload in cleaned:
            try:
                services.check_image(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class PostForm(forms.Form):
    """A post: channel, text (limit per platform), images, link + UTM, local date and
    time in the brand's time zone, campaign, labels."""

    account = forms.ModelChoiceField(queryset=SocialAccount.objects.none(), label="Channel")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "data-post-text": ""}))
    images = MultipleImageField(
        required=False, help_text="JPEG, PNG, GIF or WebP, up to 5 MB each, at most 4."
    )
    link = forms.URLField(required=False, max_length=800, assume_scheme="https")
    utm_source = forms.CharField(label="utm_source", required=False, max_length=100)
    utm_medium = forms.CharField(label="utm_medium", required=False, max_length=100)
    utm_campaign = forms.CharField(label="utm_campaign", required=False, max_length=100)
    utm_content = forms.CharField(label="utm_content", required=False, max_length=100)
    scheduled_date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    scheduled_time = forms.TimeField(
        required=False, label="Time", widget=forms.TimeInput(attrs={"type": "time"})
    )
    campaign = forms.ModelChoiceField(queryset=None, required=False)
    labels = forms.CharField(required=False, help_text="Comma-separated, e.g. launch, video.")

    def __init__(
        self,
        *args,
        brand: Brand,
        accounts,
        campaigns,
        instance: ContentPost | None = None,
        **kwargs,
    ):
        self.brand = brand
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            tz = ZoneInfo(brand.timezone or "UTC")
            local = instance.scheduled_at.astimezone(tz) if instance.scheduled_at else None
            utm = utm_values(instance.link)
            kwargs["initial"] = {
                "account": instance.account_id,
                "text": instance.text,
                "link": instance.link,
                **{f"utm_{k}": v for k, v in utm.items()},
                "scheduled_date": local.date() if local else None,
                "scheduled_time": local.time().replace(second=0, microsecond=0) if local else None,
                "campaign": instance.campaign_id,
                "labels": ", ".join(instance.labels or []),
            }
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["campaign"].queryset = campaigns
        self.fields["scheduled_time"].help_text = f"In {brand.timezone}."
        self.fields["text"].widget.attrs["data-limits"] = ",".join(
            f"{p}:{limit}" for p, (limit, _) in LIMITS.items()
        )
        self.account_platforms = {a.pk: a.platform for a in accounts}

    def clean(self):
        data = super().clean()
        account, text = data.get("account"), data.get("text")
        if account and text and (message := limit_error(account.platform, text.strip())):
            self.add_error("text", message)
        day, at = data.get("scheduled_date"), data.get("scheduled_time")
        if bool(day) != bool(at):
            self.add_error(
                "scheduled_time" if day else "scheduled_date",
                "Give both the date and the time, or neither.",
            )
        data["scheduled_at"] = local_to_utc(self.brand, day, at) if day and at else None
        data["final_link"] = build_utm_url(
            data.get("link") or "",
            source=data.get("utm_source", ""),
            medium=data.get("utm_medium", ""),
            campaign=data.get("utm_campaign", ""),
            content=data.get("utm_content", ""),
        )
        return data

    def post_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "account": data["account"],
            "text": data["text"],
            "link": data["final_link"],
            "scheduled_at": data["scheduled_at"],
            "campaign": data.get("campaign"),
            "labels": [s for s in (data.get("labels") or "").split(",") if s.strip()],
        }


class MoveForm(forms.Form):
    """ "Move to date": keeps the post's time of day."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ScheduleForm(forms.Form):
    scheduled_date = forms.DateField(
        required=False, label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    scheduled_time = forms.TimeField(
        required=False, label="Time", widget=forms.TimeInput(attrs={"type": "time"})
    )

    def scheduled_at(self, brand: Brand) -> datetime | None:
        day, at = self.cleaned_data.get("scheduled_date"), self.cleaned_data.get("scheduled_time")
        return local_to_utc(brand, day, at) if day and at else None


class DecisionForm(forms.Form):
    """Approve (comment optional) or request changes (comment required)."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("changes", "Request changes")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "changes" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what should change.")
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mention a member with @email or @Full Name: they get an email.",
    )


class MarkPublishedForm(forms.Form):
    url = forms.URLField(
        label="Address of the published post", max_length=1000, assume_scheme="https"
    )


class ApprovalLinkForm(forms.Form):
    recipient_name = forms.CharField(max_length=120)
    recipient_email = forms.EmailField()
    days = forms.IntegerField(
        label="Valid for (days)", min_value=1, max_value=90, initial=services.APPROVAL_LINK_DAYS
    )


class CalendarFilterForm(forms.Form):
    """The calendar's view, period and filters (invalid values are ignored, and said so)."""

    view = forms.ChoiceField(
        choices=[("month", "Month"), ("week", "Week"), ("list", "List")], required=False
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.ModelChoiceField(
        queryset=None, required=False, label="Channel", empty_label="All channels"
    )
    campaign = forms.ModelChoiceField(queryset=None, required=False, empty_label="All campaigns")
    status = forms.ChoiceField(
        choices=[("", "All statuses"), *ContentPost.Status.choices], required=False
    )

    def __init__(self, *args, accounts, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["campaign"].queryset = campaigns
