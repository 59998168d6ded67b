"""Reports pages of a brand: the mention stream exported as CSV or XLSX, and the weekly
digest's settings and preview. Every view goes through socialhub.access.BrandViewMixin."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.generic import FormView, View

from listening.forms import MentionFilterForm
from listening.models import Mention, Query
from listening.reports import exports, selectors, services
from listening.reports.forms import DigestSubscriptionForm
from listening.reports.models import DigestSubscription
from socialhub import access

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def stream_filters(request, brand) -> dict:
    """The mention stream's filters from the query string, exactly as the stream page
    reads them: invalid ones are dropped (the page says which and why)."""
    queries = list(Query.objects.for_user(request.user).filter(brand=brand))
    form = MentionFilterForm(request.GET or None, queries=queries)
    if not form.is_bound:
        return {"days": "30"}
    if form.is_valid():
        return form.cleaned_data
    return {k: v for k, v in form.cleaned_data.items() if k not in form.errors}


def export_filename(brand, extension: str) -> str:
    return f"{brand.slug}-mentions-{datetime.now(UTC):%Y%m%d-%H%M}.{extension}"


def csv_response(mentions, brand) -> StreamingHttpResponse:
    """The export queryset as a streamed CSV download (UTF-8 with a BOM for Excel)."""
    zone = selectors.brand_zone(brand)
    rows = selectors.mention_export_rows(mentions, selectors.EXPORT_CHUNK_SIZE)
    response = StreamingHttpResponse(
        exports.csv_chunks(rows, zone, selectors.EXPORT_CHUNK_SIZE),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename(brand, "csv")}"'
    # Proxies must pass the chunks on as they come, not buffer the whole file.
    response["X-Accel-Buffering"] = "no"
    return response


class MentionExportCSVView(access.BrandViewMixin, View):
    """The mention stream, with the stream's filters, as a CSV file (streamed)."""

    required_capability = "reports.view"
    model = Mention

    def get(self, request, *args, **kwargs):
        mentions = selectors.mention_export(
            self.get_queryset(), stream_filters(request, self.brand)
        )
        return csv_response(mentions, self.brand)


class MentionExportXLSXView(access.BrandViewMixin, View):
    """The mention stream, with the stream's filters, as an XLSX workbook: written row by
    row to a temporary file, then streamed from it."""

    required_capability = "reports.view"
    model = Mention

    def get(self, request, *args, **kwargs):
        mentions = selectors.mention_export(
            self.get_queryset(), stream_filters(request, self.brand)
        )
        # Anonymous temporary file: removed when FileResponse closes it.
        out = tempfile.TemporaryFile(suffix=".xlsx")
        try:
            exports.write_xlsx(
                selectors.mention_export_rows(mentions), selectors.brand_zone(self.brand), out
            )
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=export_filename(self.brand, "xlsx"),
            content_type=XLSX_TYPE,
        )


class DigestSettingsView(access.BrandViewMixin, FormView):
    """The weekly digest: opt in or out (every role), see last week's figures, send a
    preview to oneself."""

    required_capability = "reports.view"
    model = DigestSubscription
    form_class = DigestSubscriptionForm
    template_name = "reports/digest_settings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscription = self.get_queryset().filter(user=self.request.user).first()
        week_of = selectors.digest_week_of(self.brand, datetime.now(UTC))
        context.update(
            subscription=subscription,
            subscribed=bool(subscription and subscription.is_active),
            figures=selectors.digest_figures(self.brand, week_of),
            week_first_day=week_of - timedelta(days=7),
            week_last_day=week_of - timedelta(days=1),
        )
        return context

    def form_valid(self, form):
        subscribed = form.cleaned_data["subscribed"]
        services.digest_subscription_set(
            actor=self.request.user, brand=self.brand, subscribed=subscribed
        )
        if subscribed:
            messages.success(
                self.request,
                f"You will get {self.brand.name}'s digest every Monday at 07:00 "
                f"({self.brand.timezone}).",
            )
        else:
            messages.success(self.request, f"You will no longer get {self.brand.name}'s digest.")
        return redirect("reports:digest_settings", brand_slug=self.brand.slug)


class DigestPreviewView(access.BrandViewMixin, View):
    """ "Send me a preview" (POST): the latest digest, to the signed-in person only."""

    required_capability = {"POST": "reports.view"}
    model = DigestSubscription

    def post(self, request, *args, **kwargs):
        services.digest_send_preview(actor=request.user, brand=self.brand)
        messages.success(request, f"A preview of the digest is on its way to {request.user.email}.")
        return redirect("reports:digest_settings", brand_slug=self.brand.slug)
