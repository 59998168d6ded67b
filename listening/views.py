"""Listening pages of a brand: sources, queries (with preview), the mention stream,
phrase rules. Every view goes through socialhub.access.BrandViewMixin."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.generic import FormView, ListView, TemplateView, View

from listening import selectors, services
from listening.connectors import CONNECTORS
from listening.forms import (
    IMPORT_FIELDS,
    SOURCE_SETTINGS,
    ImportColumnsForm,
    ImportUploadForm,
    MentionFilterForm,
    PhraseRuleForm,
    QueryForm,
    SentimentForm,
    SourceForm,
)
from listening.models import ImportJob, Mention, PhraseRule, Query, Source
from listening.querylang import QuerySyntaxError, lint
from socialhub import access
from socialhub.views import CreateOrEditFormMixin, _form_errors_from


class SourceListView(access.BrandViewMixin, ListView):
    """The brand's sources with their health: last success, last error, next poll."""

    required_capability = "reports.view"
    model = Source
    template_name = "listening/source_list.html"
    context_object_name = "sources"


class SourceFormView(CreateOrEditFormMixin, access.BrandViewMixin, FormView):
    """Add a source, or edit one (``pk`` in the URL)."""

    required_capability = "listening.configure"
    model = Source
    form_class = SourceForm
    template_name = "listening/source_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.object
        context["kind_settings"] = {k: [s[0] for s in v] for k, v in SOURCE_SETTINGS.items()}
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            if self.object is None:
                source = services.source_create(
                    actor=self.request.user,
                    brand=self.brand,
                    name=data["name"],
                    kind=data["kind"],
                    config=data["config"],
                    poll_interval=data["poll_interval"],
                    is_active=data["is_active"],
                )
                if source.is_active and source.kind in CONNECTORS:
                    services.source_fetch_now(actor=self.request.user, source=source)
                    messages.success(self.request, f"{source.name} was added; first fetch queued.")
                else:
                    messages.success(self.request, f"{source.name} was added.")
            else:
                services.source_update(
                    actor=self.request.user,
                    source=self.object,
                    name=data["name"],
                    config=data["config"],
                    poll_interval=data["poll_interval"],
                    is_active=data["is_active"],
                )
                messages.success(self.request, f"{self.object.name} was saved.")
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.error_dict.items():
                    field = f"cfg_{key}" if f"cfg_{key}" in form.fields else key
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        return redirect("listening:source_list", brand_slug=self.brand.slug)


class SourceFetchView(access.BrandViewMixin, View):
    """The "fetch now" button (POST)."""

    required_capability = {"POST": "listening.configure"}
    model = Source

    def post(self, request, *args, **kwargs):
        source = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.source_fetch_now(actor=request.user, source=source)
        messages.success(request, f"A fetch of {source.name} was queued.")
        return redirect("listening:source_list", brand_slug=self.brand.slug)


class QueryListView(access.BrandViewMixin, ListView):
    """The brand's queries, grouped by what they are about."""

    required_capability = "reports.view"
    model = Query
    template_name = "listening/query_list.html"
    context_object_name = "queries"

    def scope_queryset(self, qs):
        return qs.order_by("kind", "name")


class QueryFormView(CreateOrEditFormMixin, access.BrandViewMixin, FormView):
    """The query editor: create or edit, with lint warnings and a preview before saving."""

    required_capability = "listening.configure"
    model = Query
    form_class = QueryForm
    template_name = "listening/query_form.html"
    preview_days = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.object
        form = context["form"]
        expression = (
            form.data.get("expression")
            if form.is_bound
            else (self.object.expression if self.object else "")
        )
        try:
            days = int(self.request.POST.get("preview_days") or self.preview_days)
        except ValueError:
            days = self.preview_days
        days = max(1, min(days, 365))
        context["preview_days"] = days
        context["preview_day_choices"] = sorted({7, 30, 90, days})
        if expression and "expression" not in form.errors:
            try:
                context["warnings"] = lint(expression)
                mentions = Mention.objects.for_user(self.request.user).filter(brand=self.brand)
                # The query's own narrowing, so the count is what it would really hear.
                if form.is_bound:
                    platforms = form.cleaned_data.get("platforms") if form.is_valid() else None
                    languages = form.cleaned_data.get("languages") if form.is_valid() else None
                else:
                    platforms = self.object.platforms if self.object else None
                    languages = self.object.languages if self.object else None
                if platforms:
                    mentions = mentions.filter(platform__in=platforms)
                if languages:
                    mentions = mentions.filter(lang__in=languages)
                context["preview"] = selectors.query_preview(self.brand, mentions, expression, days)
            except QuerySyntaxError:
                pass  # the form shows the error on the field
        return context

    def post(self, request, *args, **kwargs):
        if "preview" not in request.POST:
            return super().post(request, *args, **kwargs)
        # Preview needs only a valid expression: the other fields are checked on saving.
        form = self.get_form()
        form.is_valid()
        for name in list(form.errors):
            if name != "expression":
                del form.errors[name]
        expression = form.data.get("expression", "")
        if "expression" not in form.errors:
            if not expression.strip():
                form.add_error("expression", "Write an expression to preview.")
            else:
                try:
                    services.query_validate(expression)
                except ValidationError as exc:
                    _form_errors_from(exc, form)
        return self.render_to_response(self.get_context_data(form=form))

    def form_valid(self, form):
        data = {f: form.cleaned_data[f] for f in QueryForm.Meta.fields}
        try:
            if self.object is None:
                query = services.query_create(actor=self.request.user, brand=self.brand, **data)
            else:
                query = services.query_update(actor=self.request.user, query=self.object, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{query.name} was saved.")
        return redirect("listening:query_list", brand_slug=self.brand.slug)

    def form_invalid(self, form):
        expression = form.data.get("expression", "")
        if expression and "expression" not in form.errors:
            try:
                services.query_validate(expression)
            except ValidationError as exc:
                _form_errors_from(exc, form)
        return super().form_invalid(form)


class MentionListView(access.BrandViewMixin, TemplateView):
    """The mention stream: filters, text search, pagination, one row per mention."""

    required_capability = "reports.view"
    model = Mention
    template_name = "listening/mention_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queries = list(Query.objects.for_user(self.request.user).filter(brand=self.brand))
        form = MentionFilterForm(self.request.GET or None, queries=queries)
        filters = {"days": "30"}
        if form.is_bound:
            if form.is_valid():
                filters = form.cleaned_data
            else:
                # Keep what is valid; the form says what was ignored and why.
                filters = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        page = Paginator(selectors.mention_stream(self.get_queryset(), filters), self.paginate_by)
        page_obj = page.get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            page_obj=page_obj,
            mentions=page_obj.object_list,
            sentiment_form=SentimentForm(),
        )
        return context


class MentionSentimentView(access.BrandViewMixin, View):
    """A person sets a mention's sentiment by hand (POST)."""

    required_capability = {"POST": "mentions.triage"}
    model = Mention

    def post(self, request, *args, **kwargs):
        mention = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        form = SentimentForm(request.POST)
        if form.is_valid():
            services.mention_set_sentiment(
                actor=request.user, mention=mention, sentiment=form.cleaned_data["sentiment"]
            )
            messages.success(request, "Sentiment corrected; it will not be re-scored.")
        else:
            messages.error(request, "Choose negative, neutral or positive.")
        back = request.POST.get("back", "")
        # Back to the same page of the stream; only paths of this site.
        if url_has_allowed_host_and_scheme(back, allowed_hosts=None) and back.startswith("/"):
            return redirect(back)
        return redirect("listening:mention_list", brand_slug=self.brand.slug)


class PhraseRuleListView(access.BrandViewMixin, FormView):
    """The brand's phrase rules; adding one (POST) and applying them to stored mentions."""

    required_capability = {"GET": "reports.view", "POST": "listening.configure"}
    model = PhraseRule
    form_class = PhraseRuleForm
    template_name = "listening/phraserule_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rules"] = self.get_queryset()
        return context

    def form_valid(self, form):
        if "apply" in self.request.POST:
            changed = services.phrase_rules_apply(actor=self.request.user, brand=self.brand)
            messages.success(self.request, f"Rules applied: {changed} mentions changed.")
            return redirect("listening:phraserule_list", brand_slug=self.brand.slug)
        try:
            services.phrase_rule_create(
                actor=self.request.user, brand=self.brand, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, "Rule added. Apply the rules to re-score stored mentions.")
        return redirect("listening:phraserule_list", brand_slug=self.brand.slug)

    def post(self, request, *args, **kwargs):
        if "apply" in request.POST:
            return self.form_valid(None)
        return super().post(request, *args, **kwargs)


class PhraseRuleDeleteView(access.BrandViewMixin, View):
    """Remove a phrase rule (POST)."""

    required_capability = {"POST": "listening.configure"}
    model = PhraseRule

    def post(self, request, *args, **kwargs):
        rule = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.phrase_rule_delete(actor=request.user, rule=rule)
        messages.success(request, f"Rule “{rule.phrase}” removed.")
        return redirect("listening:phraserule_list", brand_slug=self.brand.slug)


# -- file import: upload, map the columns, watch it run ----------------------------------


class ImportJobListView(access.BrandViewMixin, FormView):
    """Step 1 of a file import (upload, POST) and the brand's past imports."""

    required_capability = "listening.configure"
    model = ImportJob
    form_class = ImportUploadForm
    template_name = "listening/importjob_list.html"
    paginate_by = 25

    def scope_queryset(self, qs):
        # The mapping step's samples and the problem rows are not shown here.
        return (
            qs.select_related("created_by")
            .defer("sample_rows", "row_errors")
            .order_by("-created_at", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_obj = Paginator(self.get_queryset(), self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        context.update(page_obj=page_obj, jobs=page_obj.object_list)
        return context

    def form_valid(self, form):
        try:
            job = services.import_job_create(
                actor=self.request.user, brand=self.brand, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        return redirect("listening:importjob_mapping", brand_slug=self.brand.slug, pk=job.pk)


class ImportJobMappingView(access.BrandViewMixin, FormView):
    """Step 2: the file's columns with sample rows, and a column for each of our fields
    (prefilled from the header); confirming queues the import."""

    required_capability = "listening.configure"
    model = ImportJob
    form_class = ImportColumnsForm
    template_name = "listening/importjob_mapping.html"

    def get(self, request, *args, **kwargs):
        self.job = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if self.job.status != ImportJob.Status.NEW:
            return redirect(
                "listening:importjob_detail", brand_slug=self.brand.slug, pk=self.job.pk
            )
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.job = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        if self.job.status != ImportJob.Status.NEW:
            messages.info(request, "This import has already been started.")
            return redirect(
                "listening:importjob_detail", brand_slug=self.brand.slug, pk=self.job.pk
            )
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["columns"] = self.job.columns
        return kwargs

    def get_initial(self):
        initial = {f"map_{name}": column for name, column in self.job.mapping.items()}
        initial["default_platform"] = self.job.default_platform
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(job=self.job, columns=self.job.columns, sample_rows=self.job.sample_rows)
        return context

    def form_valid(self, form):
        try:
            job = services.import_job_start(
                actor=self.request.user,
                job=self.job,
                mapping=form.mapping,
                default_platform=form.cleaned_data["default_platform"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.error_dict.items():
                    field = f"map_{key}" if f"map_{key}" in form.fields else key
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Importing {job.original_name}.")
        return redirect("listening:importjob_detail", brand_slug=self.brand.slug, pk=job.pk)


class ImportJobDetailView(access.BrandViewMixin, TemplateView):
    """Step 3: the import's progress (polled from the status endpoint; a refresh without
    JavaScript) and, when done, its counts and problem rows."""

    required_capability = "listening.configure"
    model = ImportJob
    template_name = "listening/importjob_detail.html"

    def get(self, request, *args, **kwargs):
        self.job = get_object_or_404(
            self.get_queryset().select_related("created_by"), pk=kwargs["pk"]
        )
        if self.job.status == ImportJob.Status.NEW:
            return redirect(
                "listening:importjob_mapping", brand_slug=self.brand.slug, pk=self.job.pk
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.job
        labels = {name: label for name, label, _help in IMPORT_FIELDS}
        context.update(
            job=job,
            row_errors=[
                {**problem, "label": labels.get(problem["field"], problem["field"])}
                for problem in job.row_errors
            ],
            stream_query=_import_stream_query(job),
            mapping_labels=[
                (labels.get(name, name), column) for name, column in job.mapping.items()
            ],
        )
        return context


def _import_stream_query(job: ImportJob) -> str:
    """The mention stream's filters that show what a job imported: its date range and, when
    the file had no platform column, the platform every row was imported under (without it,
    a busy brand's own mentions of those days would bury the imported ones)."""
    if not (job.first_published_at and job.last_published_at):
        return ""
    filters = {
        "days": "",
        "start": job.first_published_at.date().isoformat(),
        "end": job.last_published_at.date().isoformat(),
    }
    if "platform" not in job.mapping:
        filters["platform"] = job.default_platform
    return urlencode(filters)


class ImportJobStatusView(access.BrandViewMixin, View):
    """The job's progress as JSON, polled by its page every second or two."""

    required_capability = "listening.configure"
    model = ImportJob

    def get(self, request, *args, **kwargs):
        job = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "finished": job.is_finished,
                "percent": job.percent,
                "total": job.total,
                "processed": job.processed,
                "imported": job.imported,
                "duplicates": job.duplicates,
                "unmatched": job.unmatched,
                "invalid": job.invalid,
                "error": job.error,
            }
        )
