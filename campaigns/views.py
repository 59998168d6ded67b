"""Campaign pages of a brand: the list, a campaign (its plan, KPIs against their plan,
before/during/after), the forms of a campaign, a KPI and a team figure.
Every view goes through socialhub.access.BrandViewMixin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView, View

from campaigns import extensions, selectors, services
from campaigns import kpis as catalogue
from campaigns.forms import CampaignFilterForm, CampaignForm, KpiEntryForm, KpiForm
from campaigns.models import Campaign, ContentPost, Kpi, KpiEntry
from socialhub import access
from socialhub.views import CreateOrEditFormMixin, _form_errors_from

PACING_CLASSES = {
    "on_track": "badge-ok",
    "at_risk": "badge-warn",
    "off_track": "badge-danger",
    "not_started": "",
    "no_data": "",
}


class CampaignListView(access.BrandViewMixin, TemplateView):
    """The brand's campaigns, newest first, filtered by status."""

    required_capability = "reports.view"
    model = Campaign
    template_name = "campaigns/campaign_list.html"
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = CampaignFilterForm(self.request.GET or None)
        status = form.cleaned_data.get("status", "") if form.is_valid() else ""
        campaigns = selectors.campaign_list(self.get_queryset(), status=status)
        page_obj = Paginator(campaigns, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(form=form, page_obj=page_obj, campaigns=page_obj.object_list, status=status)
        return context


class CampaignDetailView(access.BrandViewMixin, TemplateView):
    """A campaign: its plan, each KPI against target, baseline and plan over time,
    before/during/after, the team's figures, its posts and reviews."""

    required_capability = "reports.view"
    model = Campaign
    template_name = "campaigns/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = get_object_or_404(
            self.get_queryset()
            .select_related("owner", "brand")
            .prefetch_related(
                "channels",
                "queries",
                "kpis",
                # The posts section names each post's channel: one query for all.
                Prefetch("posts", queryset=ContentPost.objects.select_related("account")),
            ),
            pk=self.kwargs["pk"],
        )
        results = catalogue.evaluate(campaign)
        for r in results:
            r.badge = PACING_CLASSES[r.pacing]
            r.metric_help = catalogue.CATALOGUE[r.metric].help if r.kind else ""
        comparison = catalogue.compare_periods(campaign)
        context.update(
            campaign=campaign,
            results=results,
            comparison=comparison,
            comparison_rows=[
                {
                    "label": m["label"],
                    "unit": m["unit"],
                    "values": [p["figures"][m["key"]] for p in comparison["periods"]],
                }
                for m in comparison["metrics"]
            ],
            elapsed=selectors.campaign_elapsed(campaign),
            queries=[
                (q, selectors.campaign_mentions_url(campaign, q)) for q in campaign.queries.all()
            ],
            mentions_url=selectors.campaign_mentions_url(campaign),
            entries=selectors.campaign_entries(campaign),
            entry_form=KpiEntryForm(),
            ave_cpm=catalogue.ave_cpm(),
            # Sections of the apps built on campaigns (campaigns.extensions).
            extension_sections=extensions.sections_for(campaign, self.request.user),
            chart_specs=[
                {
                    "id": f"kpi-chart-{r.kpi_id}",
                    "label": r.label,
                    "unit": r.unit,
                    "labels": [d.isoformat() for d, _ in r.plan_series],
                    "actual": [v for _, v in r.series],
                    "plan": [v for _, v in r.plan_series],
                }
                for r in results
                if r.series
            ],
        )
        return context


class CampaignFormView(CreateOrEditFormMixin, access.BrandViewMixin, FormView):
    """Plan a campaign, or edit one (``pk`` in the URL)."""

    required_capability = "campaigns.manage"
    model = Campaign
    form_class = CampaignForm
    template_name = "campaigns/campaign_form.html"

    def object_queryset(self):
        return self.get_queryset().prefetch_related("channels", "queries")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["brand"] = self.brand
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.object
        context["currencies"] = sorted(services.CURRENCIES)
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        related = {
            "channels": list(data.pop("channels")),
            "queries": list(data.pop("queries")),
            "create_hashtag_query": data.pop("create_hashtag_query"),
        }
        try:
            if self.object is None:
                campaign = services.campaign_create(
                    actor=self.request.user, brand=self.brand, **related, **data
                )
            else:
                campaign = services.campaign_update(
                    actor=self.request.user, campaign=self.object, **related, **data
                )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Campaign “{campaign.name}” was saved.")
        return redirect(campaign.get_absolute_url())


class CampaignArchiveView(access.BrandViewMixin, View):
    """Archive a campaign (POST)."""

    required_capability = {"POST": "campaigns.manage"}
    model = Campaign

    def post(self, request, *args, **kwargs):
        campaign = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.campaign_archive(actor=request.user, campaign=campaign)
        messages.success(request, f"Campaign “{campaign.name}” was archived.")
        return redirect("campaigns:campaign_list", brand_slug=self.brand.slug)


class KpiFormView(access.BrandViewMixin, FormView):
    """Add a KPI to a campaign (``pk``: the campaign)."""

    required_capability = "campaigns.manage"
    model = Campaign
    form_class = KpiForm
    template_name = "campaigns/kpi_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.campaign = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.object = None
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign, kpi=self.object, catalogue=catalogue.CATALOGUE.values()
        )
        return context

    def save(self, data):
        return services.kpi_create(actor=self.request.user, campaign=self.campaign, **data)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        try:
            kpi = self.save(data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"KPI “{kpi}” was saved.")
        return redirect(self.campaign.get_absolute_url())


class KpiUpdateView(KpiFormView):
    """Change a KPI (``pk``: the KPI)."""

    model = Kpi

    def get_form_kwargs(self):
        kwargs = FormView.get_form_kwargs(self)
        self.object = get_object_or_404(
            self.get_queryset().select_related("campaign", "campaign__brand"), pk=self.kwargs["pk"]
        )
        self.campaign = self.object.campaign
        kwargs["instance"] = self.object
        return kwargs

    def save(self, data):
        data.setdefault("baseline", None)
        return services.kpi_update(actor=self.request.user, kpi=self.object, **data)


class KpiDeleteView(access.BrandViewMixin, View):
    """Remove a KPI (POST)."""

    required_capability = {"POST": "campaigns.manage"}
    model = Kpi

    def post(self, request, *args, **kwargs):
        kpi = get_object_or_404(self.get_queryset().select_related("campaign"), pk=kwargs["pk"])
        campaign = kpi.campaign
        services.kpi_delete(actor=request.user, kpi=kpi)
        messages.success(request, f"KPI “{kpi}” was removed.")
        return redirect(campaign.get_absolute_url())


class KpiEntryCreateView(access.BrandViewMixin, FormView):
    """Enter a team figure for a date (``pk``: the campaign); the form is on the
    campaign page, errors come back on this page."""

    required_capability = "campaigns.manage"
    model = Campaign
    form_class = KpiEntryForm
    template_name = "campaigns/kpientry_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.campaign = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        return context

    def form_valid(self, form):
        try:
            entry = services.kpi_entry_create(
                actor=self.request.user, campaign=self.campaign, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        label = catalogue.CATALOGUE[entry.metric].label
        messages.success(self.request, f"{label} for {entry.date:%b %-d, %Y} was recorded.")
        return redirect(self.campaign.get_absolute_url() + "#team-figures")


class KpiEntryDeleteView(access.BrandViewMixin, View):
    """Remove a team figure (POST)."""

    required_capability = {"POST": "campaigns.manage"}
    model = KpiEntry

    def post(self, request, *args, **kwargs):
        entry = get_object_or_404(self.get_queryset().select_related("campaign"), pk=kwargs["pk"])
        campaign = entry.campaign
        services.kpi_entry_delete(actor=request.user, entry=entry)
        messages.success(request, "The figure was removed.")
        return redirect(campaign.get_absolute_url() + "#team-figures")
