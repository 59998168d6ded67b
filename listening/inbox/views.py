"""Inbox pages of a brand: the item list (filters, bulk actions, keyboard shortcuts,
response metrics), an item's page (triage and reply) and the settings (SLA, monitored
queries, routing rules). Every view goes through socialhub.access.BrandViewMixin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View

from listening.inbox import selectors, services
from listening.inbox.forms import (
    AssignForm,
    BulkActionForm,
    CategoryForm,
    InboxFilterForm,
    InboxSettingsForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    RoutingRuleForm,
    StatusForm,
)
from listening.inbox.models import Category, InboxItem, RoutingRule, Status
from listening.models import Query
from socialhub import access

METRICS_DAYS = 30


def _errors(form) -> str:
    """A form's errors as one sentence for a flash message."""
    parts = []
    for field, errors in form.errors.items():
        label = (
            (form.fields[field].label or field.replace("_", " ")) if field in form.fields else ""
        )
        for error in errors:
            parts.append(f"{str(label).capitalize()}: {error}" if label else str(error))
    return " ".join(parts)


def _service_errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for errors in exc.message_dict.values() for m in errors)
    return " ".join(exc.messages)


def _safe(url: str) -> str:
    """``url`` if it is a path of this site, else ""."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return ""


def _back(request, default: str) -> str:
    """Where to go after a POST: the page it came from, if it is one of ours."""
    return _safe(request.POST.get("back", "")) or default


class InboxItemListView(access.BrandViewMixin, TemplateView):
    """The inbox: open items first by priority, filters, metrics, bulk actions (POST)."""

    required_capability = {"GET": "reports.view", "POST": "mentions.triage"}
    model = InboxItem
    template_name = "inbox/inboxitem_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assignees = selectors.inbox_assignees(self.brand)
        form = InboxFilterForm(self.request.GET or None, assignees=assignees)
        filters = form.filters()
        items = selectors.inbox_items(self.get_queryset(), filters, user=self.request.user)
        page = Paginator(items, self.paginate_by).get_page(self.request.GET.get("page"))
        now = datetime.now(UTC)
        metrics_start = filters.get("start") or now - timedelta(days=METRICS_DAYS)
        metrics_end = filters.get("end") or now
        context.update(
            form=form,
            can_triage="mentions.triage" in context["caps"],
            page_obj=page,
            items=page.object_list,
            assignees=assignees,
            statuses=Status.choices,
            categories=Category.choices,
            metrics=selectors.inbox_metrics(
                self.brand, start=metrics_start, end=metrics_end, now=now
            ),
            metrics_default_period=not filters.get("start"),
            metrics_days=METRICS_DAYS,
            inbox_new_count=selectors.inbox_new_count(self.get_queryset()),
        )
        return context

    def post(self, request, *args, **kwargs):
        assignees = selectors.inbox_assignees(self.brand)
        form = BulkActionForm(
            request.POST, item_ids=request.POST.getlist("items"), assignees=assignees
        )
        back = _back(request, reverse("inbox:item_list", kwargs={"brand_slug": self.brand.slug}))
        if not form.is_valid():
            messages.error(request, _errors(form) or "Choose an action and items.")
            return redirect(back)
        data = form.cleaned_data
        items = list(
            self.get_queryset().filter(pk__in=data["items"]).select_related("assignee", "brand")
        )
        if not items:
            messages.error(request, "None of those items is in this inbox.")
            return redirect(back)
        n = len(items)
        noun = f"{n} item{'s' if n != 1 else ''}"
        try:
            if data["action"] == "assign":
                who = data["assignee"]
                if who == "me":
                    user = request.user
                elif who == "none":
                    user = None
                else:
                    user = next(u for u in assignees if str(u.pk) == who)
                services.items_assign(actor=request.user, items=items, assignee=user)
                name = "you" if user == request.user else (user.display_name if user else "nobody")
                messages.success(request, f"Assigned {noun} to {name}.")
            elif data["action"] == "status":
                services.items_set_status(actor=request.user, items=items, status=data["status"])
                label = Status(data["status"]).label.lower()
                messages.success(request, f"Marked {noun} {label}.")
            else:
                category = "" if data["category"] == "none" else data["category"]
                services.items_set_category(actor=request.user, items=items, category=category)
                label = Category(category).label if category else "no category"
                messages.success(request, f"Set {noun} to {label}.")
        except ValidationError as exc:
            messages.error(request, _service_errors(exc))
        return redirect(back)


class InboxItemDetailView(access.BrandViewMixin, TemplateView):
    """One item: the mention, its author and reach, notes, history; triage and reply
    (POST with ``action``: assign, status, category, priority, note, reply)."""

    required_capability = {"GET": "reports.view", "POST": "mentions.triage"}
    model = InboxItem
    template_name = "inbox/inboxitem_detail.html"

    def get_item(self) -> InboxItem:
        return get_object_or_404(
            selectors.inbox_item_detail(self.get_queryset()), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = kwargs.get("item") or self.get_item()
        assignees = selectors.inbox_assignees(self.brand)
        settings = selectors.inbox_settings(self.brand)
        seconds = item.response_seconds
        context.update(
            item=item,
            within_sla=seconds is not None and seconds <= settings.sla_minutes * 60,
            mention=item.mention,
            post=item.mention.post,
            author=item.mention.post.author,
            notes=item.notes.select_related("author"),
            events=item.events.select_related("actor")[:50],
            settings=settings,
            assign_form=AssignForm(
                initial={"assignee": item.assignee_id or ""}, assignees=assignees
            ),
            status_form=StatusForm(initial={"status": item.status}),
            category_form=CategoryForm(initial={"category": item.category}),
            priority_form=PriorityForm(initial={"priority": item.priority_override or ""}),
            note_form=kwargs.get("note_form") or NoteForm(),
            reply_form=kwargs.get("reply_form")
            or ReplyForm(initial={"text": item.reply_text, "url": item.reply_url}),
            inbox_new_count=selectors.inbox_new_count(self.get_queryset()),
            back=_safe(self.request.GET.get("back", ""))
            or reverse("inbox:item_list", kwargs={"brand_slug": self.brand.slug}),
        )
        return context

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        action = request.POST.get("action", "")
        here = reverse("inbox:item_detail", kwargs={"brand_slug": self.brand.slug, "pk": item.pk})
        user = request.user
        try:
            if action == "assign":
                assignees = selectors.inbox_assignees(self.brand)
                form = AssignForm(request.POST, assignees=assignees)
                if form.is_valid():
                    pk = form.cleaned_data["assignee"]
                    target = next((u for u in assignees if str(u.pk) == pk), None)
                    services.items_assign(actor=user, items=[item], assignee=target)
                    name = target.display_name if target else "nobody"
                    messages.success(request, f"Assigned to {name}.")
            elif action == "status":
                form = StatusForm(request.POST)
                if form.is_valid():
                    services.items_set_status(
                        actor=user, items=[item], status=form.cleaned_data["status"]
                    )
                    messages.success(request, f"Status: {item.get_status_display()}.")
            elif action == "category":
                form = CategoryForm(request.POST)
                if form.is_valid():
                    services.items_set_category(
                        actor=user, items=[item], category=form.cleaned_data["category"]
                    )
                    messages.success(request, f"Category: {item.get_category_display() or 'none'}.")
            elif action == "priority":
                form = PriorityForm(request.POST)
                if form.is_valid():
                    services.item_set_priority(
                        actor=user, item=item, priority=form.cleaned_data["priority"]
                    )
                    messages.success(request, f"Priority: {item.priority_label}.")
            elif action == "note":
                form = NoteForm(request.POST)
                if form.is_valid():
                    services.item_add_note(actor=user, item=item, text=form.cleaned_data["text"])
                    messages.success(request, "Note added.")
                else:
                    return self.render_to_response(
                        self.get_context_data(item=item, note_form=form), status=400
                    )
            elif action == "reply":
                form = ReplyForm(request.POST)
                if form.is_valid():
                    services.item_reply(
                        actor=user,
                        item=item,
                        text=form.cleaned_data["text"],
                        url=form.cleaned_data["url"],
                    )
                    messages.success(
                        request, f"Reply recorded; first response after {item.response_display}."
                    )
                else:
                    return self.render_to_response(
                        self.get_context_data(item=item, reply_form=form), status=400
                    )
            else:
                messages.error(request, "Choose what to change.")
                return redirect(here)
            if not form.is_valid():
                messages.error(request, _errors(form))
        except ValidationError as exc:
            messages.error(request, _service_errors(exc))
        return redirect(_back(request, here))


class InboxSettingsView(access.BrandViewMixin, FormView):
    """The SLA, which queries feed the inbox, and the routing rules (POST ``form``:
    settings, rule, or apply: route the open items that have no category yet)."""

    required_capability = "listening.configure"
    model = RoutingRule
    form_class = InboxSettingsForm
    template_name = "inbox/inboxsettings_form.html"

    def _queries(self):
        return Query.objects.for_user(self.request.user).filter(brand=self.brand)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["queries"] = self._queries()
        if self.request.method == "POST" and self.request.POST.get("form") == "rule":
            kwargs.pop("data", None)
            kwargs.pop("files", None)
        settings = selectors.inbox_settings(self.brand)
        kwargs["initial"] = {
            "sla_hours": round(settings.sla_minutes / 60, 2),
            "monitor_default_kinds": settings.monitor_default_kinds,
            "monitored_queries": [
                q for q in kwargs["queries"] if q.pk in settings.monitored_queries
            ],
        }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assignees = selectors.inbox_assignees(self.brand)
        context.update(
            settings=selectors.inbox_settings(self.brand),
            monitored=selectors.monitored_queries(self.brand),
            rules=self.get_queryset().select_related("assignee"),
            rule_form=kwargs.get("rule_form") or RoutingRuleForm(assignees=assignees),
        )
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("form") == "apply":
            routed = services.items_route_open(actor=request.user, brand=self.brand)
            messages.success(
                request, f"Rules applied: {routed} open item{'s' if routed != 1 else ''} routed."
            )
            return redirect("inbox:settings", brand_slug=self.brand.slug)
        if request.POST.get("form") != "rule":
            return super().post(request, *args, **kwargs)
        assignees = selectors.inbox_assignees(self.brand)
        form = RoutingRuleForm(request.POST, assignees=assignees)
        if form.is_valid():
            data = form.cleaned_data
            assignee = next((u for u in assignees if str(u.pk) == data["assignee"]), None)
            try:
                services.routing_rule_create(
                    actor=request.user,
                    brand=self.brand,
                    category=data["category"],
                    keywords=data["keywords"],
                    sentiment=data["sentiment"],
                    assignee=assignee,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "Routing rule added; it applies to new items.")
                return redirect("inbox:settings", brand_slug=self.brand.slug)
        return self.render_to_response(self.get_context_data(rule_form=form), status=400)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.settings_update(
                actor=self.request.user,
                brand=self.brand,
                sla_minutes=max(1, round(float(data["sla_hours"]) * 60)),
                monitor_default_kinds=data["monitor_default_kinds"],
                monitored_queries=list(data["monitored_queries"]),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                name = "sla_hours" if field == "sla_minutes" else field
                form.add_error(name if name in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, "Inbox settings saved.")
        return redirect("inbox:settings", brand_slug=self.brand.slug)


class RoutingRuleDeleteView(access.BrandViewMixin, View):
    """Remove a routing rule (POST)."""

    required_capability = {"POST": "listening.configure"}
    model = RoutingRule

    def post(self, request, *args, **kwargs):
        rule = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.routing_rule_delete(actor=request.user, rule=rule)
        messages.success(request, "Routing rule removed.")
        return redirect("inbox:settings", brand_slug=self.brand.slug)
