"""The brand dashboard, its printable report and its table exports."""

from __future__ import annotations

from django.http import Http404
from django.views import View
from django.views.generic import TemplateView

from listening.insights import exports, selectors
from listening.insights.charts import charts_for
from listening.insights.forms import DashboardFilterForm
from socialhub import access


class _DashboardMixin(access.BrandViewMixin):
    """Parses the filter bar (bad values are dropped, with their message) and builds
    the dashboard from the rollups."""

    required_capability = "reports.view"

    def get_dashboard(self) -> tuple[DashboardFilterForm, selectors.Dashboard]:
        queries = selectors.brand_queries(self.brand)
        form = DashboardFilterForm(
            self.request.GET or None, queries=queries, today=selectors.brand_today(self.brand)
        )
        if form.is_bound:
            form.is_valid()
        period = form.period()
        board = selectors.dashboard(
            self.brand, start=period.start, end=period.end, filters=form.filters(), queries=queries
        )
        return form, board


class DashboardView(_DashboardMixin, TemplateView):
    """The brand's listening dashboard: every widget for a period, with comparisons."""

    template_name = "insights/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, board = self.get_dashboard()
        charts = [] if board.is_empty else charts_for(board)
        context.update(
            form=form,
            board=board,
            charts=charts,
            query_string=self.request.GET.urlencode(),
        )
        if charts:
            context.update(_lists(board))
            context["chart_specs"] = [
                {k: v for k, v in c.items() if k not in ("rows", "header")} for c in charts
            ]
        return context


def _lists(board: selectors.Dashboard) -> dict:
    """Top authors and terms, each with its drill-down into the mention stream."""
    terms = board.terms
    return {
        "emerging_terms": [
            {"term": t, "link": board.mentions_url(q=t.term)} for t in terms["emerging"]
        ],
        "top_author_lists": [
            ("Top authors by reach", board.top_authors["by_reach"]),
            ("Top authors by engagement", board.top_authors["by_engagement"]),
        ],
        "top_terms": [
            {"term": t, "figure": f, "link": board.mentions_url(q=t)} for t, f in terms["top"]
        ],
    }


class ReportView(DashboardView):
    """The same figures as a printable page (PDF through the browser's print)."""

    template_name = "insights/report.html"


class ExportView(_DashboardMixin, View):
    """A dashboard table as CSV (``?table=volume&fmt=csv``) or every table as XLSX."""

    def get(self, request, *args, **kwargs):
        _form, board = self.get_dashboard()
        tables = board.tables()
        fmt = request.GET.get("fmt", "csv")
        name = f"{self.brand.slug}-{board.period.start}-{board.period.end}"
        if fmt == "xlsx":
            wanted = request.GET.get("table")
            if wanted:
                if wanted not in tables:
                    raise Http404("No such table.")
                tables = {wanted: tables[wanted]}
            return exports.xlsx_response(name, tables)
        if fmt != "csv":
            raise Http404("Choose csv or xlsx.")
        table = request.GET.get("table", "summary")
        if table not in tables:
            raise Http404("No such table.")
        header, rows = tables[table]
        return exports.csv_response(f"{name}-{table}", header, rows)
