"""Alerts pages of a brand: the history (filter, acknowledge), one alert, the rules.
Every view goes through socialhub.access.BrandViewMixin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View

from listening.alerts import selectors, services
from listening.alerts.forms import AlertFilterForm, AlertRuleForm
from listening.alerts.models import Alert, AlertRule
from listening.models import Query
from socialhub import access
from socialhub.views import CreateOrEditFormMixin, _form_errors_from


class AlertListView(access.BrandViewMixin, TemplateView):
    """The brand's alert history, newest first; what the user had not seen is marked
    new, and counts as seen once shown."""

    required_capability = "reports.view"
    model = Alert
    template_name = "alerts/alert_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rules = list(
            AlertRule.objects.for_user(self.request.user)
            .filter(brand=self.brand)
            .only("id", "name")
            .order_by("name")
        )
        form = AlertFilterForm(self.request.GET or None, rules=rules)
        filters = {}
        if form.is_bound:
            # Keep what is valid; the form says what was ignored and why.
            form.is_valid()
            filters = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        history = selectors.alert_history(self.get_queryset(), filters)
        page_obj = Paginator(history, self.paginate_by).get_page(self.request.GET.get("page"))
        alerts = list(page_obj.object_list)
        seen = selectors.alert_read_ids(self.request.user, [a.pk for a in alerts])
        for alert in alerts:
            alert.is_new = alert.pk not in seen
            alert.mentions_url = services.mentions_url(alert)
        services.alerts_mark_read(actor=self.request.user, alerts=[a for a in alerts if a.is_new])
        context.update(
            form=form,
            page_obj=page_obj,
            alerts=alerts,
            has_rules=bool(rules),
            filtered=bool(filters and any(filters.values())),
        )
        return context


class AlertDetailView(access.BrandViewMixin, TemplateView):
    """One alert: its explanation, the numbers, the mentions behind it; seen once shown."""

    required_capability = "reports.view"
    model = Alert
    template_name = "alerts/alert_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alert = get_object_or_404(
            self.get_queryset().select_related("rule", "rule__query", "acknowledged_by"),
            pk=self.kwargs["pk"],
        )
        services.alerts_mark_read(actor=self.request.user, alerts=[alert])
        context.update(alert=alert, mentions_url=services.mentions_url(alert))
        return context


class AlertAcknowledgeView(access.BrandViewMixin, View):
    """The acknowledge button (POST)."""

    required_capability = {"POST": "mentions.triage"}
    model = Alert

    def post(self, request, *args, **kwargs):
        alert = get_object_or_404(self.get_queryset().select_related("rule"), pk=kwargs["pk"])
        already = alert.acknowledged_at is not None
        services.alert_acknowledge(actor=request.user, alert=alert)
        if already:
            messages.success(request, f"“{alert.rule.name}” was already acknowledged.")
        else:
            messages.success(request, f"“{alert.rule.name}” acknowledged.")
        back = request.POST.get("back", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/"):
            return redirect(back)
        return redirect("alerts:alert_list", brand_slug=self.brand.slug)


class AlertMarkAllReadView(access.BrandViewMixin, View):
    """ "Mark all as read" (POST): clears the brand's alerts from the bell."""

    required_capability = {"POST": "reports.view"}
    model = Alert

    def post(self, request, *args, **kwargs):
        count = services.alerts_mark_all_read(actor=request.user, brand=self.brand)
        messages.success(request, f"{count} alert{'s' if count != 1 else ''} marked as read.")
        return redirect("alerts:alert_list", brand_slug=self.brand.slug)


class AlertRuleListView(access.BrandViewMixin, TemplateView):
    """The brand's alert rules, with their scope, recipients and incidents."""

    required_capability = "listening.configure"
    model = AlertRule
    template_name = "alerts/alertrule_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = selectors.alert_rule_list(self.get_queryset())
        return context


class AlertRuleFormView(CreateOrEditFormMixin, access.BrandViewMixin, FormView):
    """Create a rule, or edit one (``pk`` in the URL)."""

    required_capability = "listening.configure"
    model = AlertRule
    form_class = AlertRuleForm
    template_name = "alerts/alertrule_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["brand"] = self.brand
        kwargs["queries"] = Query.objects.for_user(self.request.user).filter(brand=self.brand)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rule"] = self.object
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        recipients = data.pop("recipients")
        try:
            if self.object is None:
                rule = services.alert_rule_create(
                    actor=self.request.user, brand=self.brand, recipients=recipients, **data
                )
            else:
                rule = services.alert_rule_update(
                    actor=self.request.user, rule=self.object, recipients=recipients, **data
                )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Alert rule “{rule.name}” was saved.")
        return redirect("alerts:alertrule_list", brand_slug=self.brand.slug)


class AlertRuleDeleteView(access.BrandViewMixin, View):
    """Remove a rule and its alerts (POST)."""

    required_capability = {"POST": "listening.configure"}
    model = AlertRule

    def post(self, request, *args, **kwargs):
        rule = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        name = rule.name
        services.alert_rule_delete(actor=request.user, rule=rule)
        messages.success(request, f"Alert rule “{name}” removed, with its alerts.")
        return redirect(reverse("alerts:alertrule_list", kwargs={"brand_slug": self.brand.slug}))
