"""Forms of the review pages: the review (date, checklist answers, summary) and its
decisions (a formset: keep / stop / change, with a query, posts and links)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from campaigns.models import ContentPost, Review, ReviewDecision
from campaigns.reviews import services
from campaigns.reviews.checklist import ANSWER_MAX_LENGTH, CHECKLIST

# Blank decision rows offered under a review.
EXTRA_DECISIONS = 3


class ReviewForm(forms.Form):
    """The review itself: when, the checklist answers, the summary."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text="What the review concluded, in a few lines.",
    )

    def __init__(self, *args, facts: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        facts = facts or {}
        for q in CHECKLIST:
            hint = q.hint
            if facts.get(q.key):
                hint = f"{q.hint} From the data: {facts[q.key]}"
            self.fields[f"answer_{q.key}"] = forms.CharField(
                label=q.question,
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                help_text=hint,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @classmethod
    def initial_for(cls, review: Review) -> dict[str, Any]:
        initial: dict[str, Any] = {"date": review.date, "summary": review.summary}
        for key, value in (review.answers or {}).items():
            initial[f"answer_{key}"] = value
        return initial

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{q.key}"] for q in CHECKLIST]

    def answers(self) -> dict[str, str]:
        return {
            q.key: self.cleaned_data.get(f"answer_{q.key}", "")
            for q in CHECKLIST
            if self.cleaned_data.get(f"answer_{q.key}")
        }


def parse_links(text: str) -> list[dict[str, str]]:
    """One link per line: ``Label | https://…`` or just the URL."""
    links = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        label, sep, url = line.rpartition("|")
        if not sep:
            label, url = "", line
        links.append({"label": label.strip(), "url": url.strip()})
    return services.clean_links(links)


def links_text(links: list[dict[str, str]]) -> str:
    return "\n".join(
        link["url"] if link["label"] == link["url"] else f"{link['label']} | {link['url']}"
        for link in links or []
    )


class PostChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, post: ContentPost) -> str:
        when = f"{post.scheduled_at:%b %-d} · " if post.scheduled_at else ""
        return f"{when}{post.account} · {post.text[:60]}"


class DecisionForm(forms.Form):
    """One decision: keep, stop or change something, and what changed."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    verdict = forms.ChoiceField(choices=[("", "—"), *ReviewDecision.Verdict.choices])
    subject = forms.CharField(max_length=200, help_text="What the decision is about.")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    query = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Listening query",
        help_text="A query edited, added or paused because of this decision.",
    )
    posts = PostChoiceField(
        queryset=None,
        required=False,
        help_text="Posts of this campaign added, changed or cancelled.",
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: “Label | https://…” or just the URL "
        "(e.g. an influencer relationship, a brief).",
    )

    def __init__(self, *args, queries=None, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["query"].queryset = queries
        self.fields["posts"].queryset = posts

    def clean_links(self) -> list[dict[str, str]]:
        try:
            return parse_links(self.cleaned_data.get("links", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None


class BaseDecisionFormSet(forms.BaseFormSet):
    def __init__(self, *args, queries=None, posts=None, **kwargs):
        self._choice_kwargs = {"queries": queries, "posts": posts}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), **self._choice_kwargs}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.renderer,
            **self._choice_kwargs,
        )
        self.add_fields(form, None)
        return form

    def decisions(self) -> list[dict[str, Any]]:
        """The decisions to keep, as the service takes them (blank rows skipped, rows
        marked for removal left out)."""
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            if not form.has_changed() and not data.get("id"):
                continue
            out.append(
                {
                    "id": data.get("id"),
                    "verdict": data["verdict"],
                    "subject": data["subject"],
                    "note": data.get("note", ""),
                    "query": data.get("query"),
                    "posts": list(data.get("posts") or []),
                    "links": data.get("links") or [],
                }
            )
        return out


DecisionFormSet = forms.formset_factory(
    DecisionForm,
    formset=BaseDecisionFormSet,
    extra=EXTRA_DECISIONS,
    can_delete=True,
    max_num=services.MAX_DECISIONS,
    validate_max=True,
)


def decision_initial(review: Review) -> list[dict[str, Any]]:
    return [
        {
            "id": d.pk,
            "verdict": d.verdict,
            "subject": d.subject,
            "note": d.note,
            "query": d.query_id,
            "posts": [p.pk for p in d.posts.all()],
            "links": links_text(d.links),
        }
        for d in review.decisions.all()
    ]
