"""Review pages of a campaign (list, new, detail, edit, delete), the campaign timeline
and the campaign report with its CSV/XLSX exports. Every view goes through
socialhub.access.BrandViewMixin; the campaign comes from its scoped queryset."""

from __future__ import annotations

import tempfile
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView, View

from campaigns import extensions, kpis
from campaigns.models import Campaign, Review
from campaigns.reviews import checklist, selectors, services
from campaigns.reviews.forms import DecisionFormSet, ReviewForm, decision_initial
from campaigns.reviews.report import (
    campaign_report,
    csv_chunks,
    export_filename,
    tables,
    write_xlsx,
)
from socialhub import access
from socialhub.views import _form_errors_from

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CampaignPageMixin(access.BrandViewMixin):
    """Pages whose ``pk`` is a campaign of the brand."""

    model = Campaign

    def get_campaign(self) -> Campaign:
        if not hasattr(self, "campaign"):
            self.campaign = get_object_or_404(
                self.get_queryset().select_related("brand"), pk=self.kwargs["pk"]
            )
        return self.campaign


class ReviewPageMixin(access.BrandViewMixin):
    """Pages of one review (``pk`` in the URL)."""

    model = Review

    def get_review(self) -> Review:
        if not hasattr(self, "review"):
            self.review = get_object_or_404(
                selectors.review_detail(self.get_queryset()),
                pk=self.kwargs["pk"],
            )
        return self.review


class ReviewListView(CampaignPageMixin, TemplateView):
    """The campaign's reviews, newest first, each with its decisions."""

    required_capability = "reports.view"
    template_name = "reviews/review_list.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        page_obj = Paginator(selectors.review_list(campaign), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        context.update(campaign=campaign, page_obj=page_obj, reviews=page_obj.object_list)
        return context


class _ReviewFormMixin:
    """The review form and the decisions formset, with the brand's queries and the
    campaign's posts as choices."""

    template_name = "reviews/review_form.html"

    def forms(self, campaign: Campaign, review: Review | None):
        data = self.request.POST if self.request.method == "POST" else None
        facts = checklist.prefill(campaign)
        if review is None:
            today = datetime.now(ZoneInfo(self.brand.timezone)).date()
            initial, decisions = {"date": today}, []
        else:
            initial, decisions = ReviewForm.initial_for(review), decision_initial(review)
        form = ReviewForm(data, initial=initial, facts=facts)
        formset = DecisionFormSet(
            data,
            initial=decisions,
            prefix="decisions",
            queries=selectors.decision_query_choices(campaign),
            posts=selectors.decision_post_choices(campaign),
        )
        return form, formset

    def render_forms(self, campaign, review, form, formset, status=200):
        context = self.get_context_data(
            campaign=campaign, review=review, form=form, formset=formset
        )
        return self.render_to_response(context, status=status)

    def save(self, campaign: Campaign, review: Review | None):
        form, formset = self.forms(campaign, review)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_forms(campaign, review, form, formset, status=400)
        fields = {
            "date": form.cleaned_data["date"],
            "answers": form.answers(),
            "summary": form.cleaned_data["summary"],
            "decisions": formset.decisions(),
        }
        try:
            if review is None:
                review = services.review_create(
                    actor=self.request.user, campaign=campaign, **fields
                )
            else:
                review = services.review_update(actor=self.request.user, review=review, **fields)
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.render_forms(campaign, review, form, formset, status=400)
        messages.success(self.request, f"Review of {review.date:%b %-d, %Y} saved.")
        return redirect("reviews:review_detail", brand_slug=self.brand.slug, pk=review.pk)


class ReviewCreateView(_ReviewFormMixin, CampaignPageMixin, TemplateView):
    """A new review: the checklist (prefilled hints from the data), a summary and the
    decisions; the KPI snapshot is attached when it is saved."""

    required_capability = "campaigns.manage"

    def get(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        form, formset = self.forms(campaign, None)
        return self.render_forms(campaign, None, form, formset)

    def post(self, request, *args, **kwargs):
        return self.save(self.get_campaign(), None)


class ReviewUpdateView(_ReviewFormMixin, ReviewPageMixin, TemplateView):
    """Edit a review; its KPI snapshot stays as it was."""

    required_capability = "campaigns.manage"

    def get(self, request, *args, **kwargs):
        review = self.get_review()
        form, formset = self.forms(review.campaign, review)
        return self.render_forms(review.campaign, review, form, formset)

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        return self.save(review.campaign, review)


class ReviewDetailView(ReviewPageMixin, TemplateView):
    """One review: the answers, the KPIs as they were, the decisions."""

    required_capability = "reports.view"
    template_name = "reviews/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.get_review()
        answers = review.answers or {}
        context.update(
            review=review,
            campaign=review.campaign,
            answers=[
                {"question": q.question, "answer": answers.get(q.key, "")}
                for q in checklist.CHECKLIST
            ],
            snapshot=review.kpi_snapshot or [],
        )
        return context


class ReviewDeleteView(ReviewPageMixin, View):
    """Remove a review and its decisions (POST)."""

    required_capability = {"POST": "campaigns.manage"}

    def post(self, request, *args, **kwargs):
        review = self.get_review()
        campaign = review.campaign
        services.review_delete(actor=request.user, review=review)
        messages.success(request, f"Review of {review.date:%b %-d, %Y} removed.")
        return redirect("reviews:review_list", brand_slug=self.brand.slug, pk=campaign.pk)


class CampaignTimelineView(CampaignPageMixin, TemplateView):
    """Plan, measurements, posts published, reviews and decisions: one list."""

    required_capability = "reports.view"
    template_name = "reviews/campaign_timeline.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        asked = [k for k in self.request.GET.getlist("kind") if k in selectors.TIMELINE_KINDS]
        kinds = set(asked) or set(selectors.TIMELINE_KINDS)
        results = kpis.evaluate(campaign) if selectors.MEASUREMENT in kinds else []
        items = selectors.campaign_timeline(campaign, kinds=kinds, kpi_results=results)
        page_obj = Paginator(items, self.paginate_by).get_page(self.request.GET.get("page"))
        ignored = [k for k in self.request.GET.getlist("kind") if k not in selectors.TIMELINE_KINDS]
        context.update(
            campaign=campaign,
            page_obj=page_obj,
            items=page_obj.object_list,
            kinds=[
                {"key": k, "label": label, "checked": k in asked}
                for k, label in selectors.TIMELINE_KINDS.items()
            ],
            filtered=bool(asked),
            ignored=ignored,
        )
        return context


class CampaignReportView(CampaignPageMixin, TemplateView):
    """The print-ready campaign report; ``?format=csv|xlsx&table=…`` downloads a table."""

    required_capability = "reports.view"
    template_name = "reviews/campaign_report.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", "")
        if not fmt:
            return super().get(request, *args, **kwargs)
        table = request.GET.get("table", "")
        if fmt not in ("csv", "xlsx"):
            return HttpResponse(
                f"Unknown format “{fmt[:20]}”: choose csv or xlsx.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if table not in tables():
            return HttpResponse(
                f"Unknown table “{table[:20]}”: choose one of {', '.join(tables())}.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        campaign = self.get_campaign()
        header, rows = campaign_report(campaign).table(table)
        filename = export_filename(campaign, table, fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(
                csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        # Anonymous temporary file: removed when FileResponse closes it.
        out = tempfile.TemporaryFile(suffix=".xlsx")
        try:
            write_xlsx(tables()[table], header, rows, out)
            out.seek(0)
        except BaseException:
            out.close()
            raise
        return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_TYPE)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        report = campaign_report(campaign)
        context.update(
            campaign=campaign,
            report=report,
            tables=tables(),
            # Sections of the apps built on campaigns (campaigns.extensions).
            extension_sections=extensions.sections_for(campaign, self.request.user),
        )
        return context
