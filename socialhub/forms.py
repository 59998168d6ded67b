"""Forms of the tenancy core: parse and validate; the services write."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from socialhub.models import Agency, Brand, Role, User

ROLE_CHOICES = [("", "No access"), *Role.choices]


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz or tz == "UTC"]


class ListField(forms.CharField):
    """A list typed as comma- or newline-separated text."""

    def __init__(self, *, lowercase: bool = False, max_items: int = 50, **kwargs):
        self.lowercase = lowercase
        self.max_items = max_items
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        items = [i.strip() for i in text.replace("\n", ",").split(",") if i.strip()]
        if self.lowercase:
            items = [i.lower() for i in items]
        if len(items) > self.max_items:
            raise ValidationError(f"At most {self.max_items} entries, please.")
        return list(dict.fromkeys(items))


class LanguagesField(ListField):
    """ISO 639-1 language codes, e.g. “en, zh, ru”."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ISO 639-1 codes, comma-separated, e.g. en, zh, ru.")
        super().__init__(lowercase=True, required=False, **kwargs)

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        bad = [code for code in value if len(code) != 2 or not code.isalpha()]
        if bad:
            raise ValidationError(
                f"Not a two-letter language code: {', '.join(bad)}. Use e.g. en, zh, ru."
            )


class BrandForm(forms.ModelForm):
    """Create or edit a brand. The slug is fixed once the brand exists."""

    timezone = forms.ChoiceField(choices=timezone_choices, initial="UTC")
    languages = LanguagesField()
    competitors = ListField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line (or comma-separated); used for share of voice.",
    )

    class Meta:
        model = Brand
        fields = ["name", "slug", "timezone", "languages", "competitors", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "Leave empty to derive it from the name."
        if self.instance.pk:
            del self.fields["slug"]


class AgencySettingsForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "require_mfa"]
        labels = {"require_mfa": "Require two-factor authentication for every member"}


class BrandRolesMixin:
    """Adds one role select per brand of the agency: ``role_<brand id>``."""

    def add_brand_role_fields(self, brands: list[Brand], initial: dict[int, str]) -> None:
        self.brands = brands
        for brand in brands:
            self.fields[f"role_{brand.pk}"] = forms.ChoiceField(
                label=brand.name,
                choices=ROLE_CHOICES,
                required=False,
                initial=initial.get(brand.pk, ""),
            )

    def brand_roles(self) -> dict[Brand, str]:
        return {
            brand: self.cleaned_data[f"role_{brand.pk}"]
            for brand in self.brands
            if self.cleaned_data.get(f"role_{brand.pk}")
        }

    def role_fields(self):
        return [self[f"role_{brand.pk}"] for brand in self.brands]


class AgencyInviteForm(BrandRolesMixin, forms.Form):
    """Invite someone to the agency with a role per brand, or as an agency admin."""

    email = forms.EmailField()
    is_admin = forms.BooleanField(
        required=False,
        label="Agency admin",
        help_text="Admins see every brand, manage members and create brands.",
    )

    def __init__(self, *args, brands: list[Brand], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_brand_role_fields(brands, {})

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_admin") and not self.brand_roles():
            raise ValidationError(
                "Give the person a role in at least one brand, or make them admin."
            )
        return cleaned


class AgencyMemberForm(BrandRolesMixin, forms.Form):
    """Change a member's role in each brand and their admin flag."""

    is_admin = forms.BooleanField(required=False, label="Agency admin")

    def __init__(self, *args, brands: list[Brand], roles: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.add_brand_role_fields(brands, roles)


class BrandInviteForm(forms.Form):
    """Invite someone to one brand (managers do this for their brand)."""

    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANALYST)


class BrandMemberForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class InvitationSignupForm(forms.Form):
    """Create the account an invitation is for; the address is proven by the link."""

    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            user = User(email=self.email, first_name=cleaned.get("first_name", ""))
            try:
                password_validation.validate_password(p1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
