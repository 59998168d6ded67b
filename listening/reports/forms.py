"""Forms of the reports app."""

from __future__ import annotations

from django import forms


class DigestSubscriptionForm(forms.Form):
    """Turn the weekly digest on or off (explicit values: an empty post is an error)."""

    subscribed = forms.TypedChoiceField(
        choices=[("on", "Send me the weekly digest"), ("off", "Stop sending it")],
        coerce=lambda value: value == "on",
        error_messages={"required": "Choose whether to receive the digest (on or off)."},
    )
