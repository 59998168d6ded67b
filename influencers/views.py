"""Influencer pages.

The agency's directory under /agency/<agency_slug>/influencers/ goes through
``socialhub.access.AgencyDirectoryMixin`` (the agency's admins and its brands' staff;
never clients). Discovery and relationships under /b/<brand_slug>/influencers/ go
through ``BrandViewMixin``: "reports.view" reads relationships, "influencers.edit"
writes them and uses discovery (which shows the agency's directory).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from campaigns.models import Campaign
from influencers import emv, importers, selectors, services
from influencers.forms import (
    CollaborationFilterForm,
    CollaborationForm,
    DeliverableFormSet,
    DirectoryFilterForm,
    DiscoveryForm,
    ImportMappingForm,
    ImportUploadForm,
    InfluencerCreateForm,
    InfluencerForm,
    InteractionForm,
    MoveForm,
    ProfileForm,
    RelationshipForm,
    RelationshipOpenForm,
)
from influencers.models import (
    Collaboration,
    Influencer,
    InfluencerProfile,
    Relationship,
    Stage,
)
from listening.importers import ImportFileError
from listening.models import Author, Mention, Query
from socialhub import access
from socialhub.views import _form_errors_from

PROFILE_FIELDS = ("platform", "handle", "url", "followers")


def _duplicate_of(exc: ValidationError) -> int | None:
    """The influencer a duplicate-handle error names, for a link next to the error."""
    for error in getattr(exc, "error_dict", {}).get("handle", []):
        if error.code == "duplicate":
            return error.params["influencer_id"]
    return None


# -- the directory (agency-wide) -------------------------------------------------------


class InfluencerListView(access.AgencyDirectoryMixin, TemplateView):
    """The agency's directory: search, filters, pages."""

    model = Influencer
    template_name = "influencers/influencer_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        everyone = self.get_queryset()
        form = DirectoryFilterForm(
            self.request.GET or None, facets=selectors.directory_facets(everyone)
        )
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        influencers = selectors.influencer_directory(everyone, filters)
        page_obj = Paginator(influencers, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            page_obj=page_obj,
            influencers=page_obj.object_list,
            filtered=any(filters.values()),
        )
        return context


class InfluencerCreateView(access.AgencyDirectoryMixin, FormView):
    """Add an influencer with their first profile."""

    model = Influencer
    form_class = InfluencerCreateForm
    template_name = "influencers/influencer_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        profile = {k: data.pop(k) for k in PROFILE_FIELDS}
        try:
            influencer = services.influencer_create(
                actor=self.request.user, agency=self.agency, profiles=[profile], **data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.render_to_response(
                self.get_context_data(form=form, duplicate_id=_duplicate_of(exc))
            )
        messages.success(self.request, f"{influencer.name} was added to the directory.")
        return redirect(influencer.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if kwargs.get("duplicate_id"):
            context["duplicate"] = self.get_queryset().filter(pk=kwargs["duplicate_id"]).first()
        return context


class InfluencerDetailView(access.AgencyDirectoryMixin, TemplateView):
    """One influencer: profiles with what listening observed, and the relationships of
    the brands the viewer holds."""

    model = Influencer
    template_name = "influencers/influencer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        influencer = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        context.update(
            influencer=influencer,
            observed=selectors.influencer_observed(influencer, self.request.user),
            relationships=selectors.influencer_relationships(influencer, self.request.user),
            profile_form=ProfileForm(),
        )
        return context


class InfluencerUpdateView(access.AgencyDirectoryMixin, FormView):
    """Edit an influencer's details."""

    model = Influencer
    form_class = InfluencerForm
    template_name = "influencers/influencer_form.html"

    def get_initial(self):
        self.object = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return {
            name: getattr(self.object, name)
            for name in ("name", "topics", "languages", "region", "email", "phone", "tags", "notes")
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["influencer"] = self.object
        return context

    def form_valid(self, form):
        try:
            services.influencer_update(
                actor=self.request.user, influencer=self.object, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.object.name} was saved.")
        return redirect(self.object.get_absolute_url())


class InfluencerDeleteView(access.AgencyDirectoryMixin, View):
    """Remove an influencer from the directory (POST)."""

    model = Influencer

    def post(self, request, *args, **kwargs):
        influencer = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        name = influencer.name
        services.influencer_delete(actor=request.user, influencer=influencer)
        messages.success(request, f"{name} was removed from the directory.")
        return redirect("influencers:influencer_list", agency_slug=self.agency.slug)


class ProfileAddView(access.AgencyDirectoryMixin, FormView):
    """Add a profile to an influencer (``pk`` is the influencer)."""

    model = Influencer
    form_class = ProfileForm
    template_name = "influencers/profile_form.html"

    def get_form_kwargs(self):
        self.object = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["influencer"] = self.object
        if kwargs.get("duplicate_id"):
            context["duplicate"] = self.get_queryset().filter(pk=kwargs["duplicate_id"]).first()
        return context

    def form_valid(self, form):
        try:
            profile = services.profile_add(
                actor=self.request.user, influencer=self.object, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.render_to_response(
                self.get_context_data(form=form, duplicate_id=_duplicate_of(exc))
            )
        messages.success(self.request, f"{profile} was added.")
        return redirect(self.object.get_absolute_url())


class ProfileRemoveView(access.AgencyDirectoryMixin, View):
    """Remove one profile (POST)."""

    model = InfluencerProfile

    def post(self, request, *args, **kwargs):
        profile = get_object_or_404(
            self.get_queryset().select_related("influencer"), pk=kwargs["pk"]
        )
        influencer = profile.influencer
        services.profile_remove(actor=request.user, profile=profile)
        messages.success(request, f"{profile} was removed.")
        return redirect(influencer.get_absolute_url())


def _import_key(agency) -> str:
    return f"influencer-import-{agency.pk}"


class InfluencerImportView(access.AgencyDirectoryMixin, FormView):
    """Import, step 1: upload a CSV or XLSX file."""

    model = Influencer
    form_class = ImportUploadForm
    template_name = "influencers/import_upload.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            read = importers.read_upload(upload, upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        # Kept in the session between the two steps (at most 5,000 short rows).
        self.request.session[_import_key(self.agency)] = {
            "name": read.name,
            "header": read.header,
            "rows": read.rows,
            "mapping": read.mapping,
        }
        return redirect("influencers:influencer_import_map", agency_slug=self.agency.slug)


class InfluencerImportMapView(access.AgencyDirectoryMixin, FormView):
    """Import, step 2: map the columns, check every row, import all or nothing."""

    model = Influencer
    template_name = "influencers/import_map.html"

    def get(self, request, *args, **kwargs):
        if not request.session.get(_import_key(self.agency)):
            return redirect("influencers:influencer_import", agency_slug=self.agency.slug)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.session.get(_import_key(self.agency)):
            messages.error(request, "Upload the file first.")
            return redirect("influencers:influencer_import", agency_slug=self.agency.slug)
        return super().post(request, *args, **kwargs)

    def get_form(self, form_class=None):
        self.upload = self.request.session[_import_key(self.agency)]
        return ImportMappingForm(
            **self.get_form_kwargs(),
            header=self.upload["header"],
            initial_mapping=self.upload["mapping"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["upload"] = self.upload
        context["sample"] = [
            [row.get(h, "") for h in self.upload["header"]] for row in self.upload["rows"][:5]
        ]
        return context

    def form_valid(self, form):
        mapping = form.mapping()
        try:
            created, checked = importers.influencers_import(
                actor=self.request.user,
                agency=self.agency,
                rows=self.upload["rows"],
                mapping=mapping,
                file_name=self.upload.get("name", ""),
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        if not created:
            return self.render_to_response(
                self.get_context_data(form=form, row_errors=checked.errors, checked=checked)
            )
        del self.request.session[_import_key(self.agency)]
        messages.success(self.request, f"{len(created)} influencers were imported.")
        return redirect("influencers:influencer_list", agency_slug=self.agency.slug)


# -- discovery (per brand) -------------------------------------------------------------


class DiscoverView(access.BrandViewMixin, TemplateView):
    """Authors heard by listening, ranked; who is in the directory; who mentioned the
    brand and was never contacted."""

    required_capability = "influencers.edit"
    model = Relationship
    template_name = "influencers/discover.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queries = Query.objects.for_user(self.request.user).filter(brand=self.brand)
        form = DiscoveryForm(self.request.GET or None, queries=queries)
        data = {}
        if form.is_bound:
            form.is_valid()
            data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        days = data.get("days") or 30
        end = datetime.now(UTC) + timedelta(days=1)
        end = end.replace(hour=0, minute=0, second=0, microsecond=0)
        start = end - timedelta(days=days)
        query = data.get("query")
        discovery = selectors.discovery_rank(
            self.brand,
            start=start,
            end=end,
            kind=data.get("kind") or "",
            query_id=query.pk if query else None,
            sort=data.get("sort") or "reach",
        )
        context.update(
            form=form,
            days=days,
            discovery=discovery,
            never_contacted=selectors.mentioned_never_contacted(self.brand),
        )
        return context


class DiscoverAddView(access.BrandViewMixin, View):
    """ "Add and open a relationship" for an Author the brand heard (POST)."""

    required_capability = {"POST": "influencers.edit"}
    model = Relationship

    def post(self, request, *args, **kwargs):
        author_id = request.POST.get("author", "")
        heard = Mention.objects.for_user(request.user).filter(
            brand=self.brand, post__author_id=author_id if author_id.isdigit() else 0
        )
        author = Author.objects.filter(pk=author_id).first() if heard.exists() else None
        if author is None:
            messages.error(request, "Choose an author the brand has heard.")
            return redirect("influencers:discover", brand_slug=self.brand.slug)
        relationship = services.discovery_add(actor=request.user, brand=self.brand, author=author)
        messages.success(
            request,
            f"{relationship.influencer.name} is in the directory; the relationship is "
            f"{relationship.get_stage_display().lower()}.",
        )
        return redirect(relationship.get_absolute_url())


# -- relationships (per brand) ---------------------------------------------------------


class _RelationshipsMixin(access.BrandViewMixin):
    model = Relationship

    def relationships(self):
        filters = {k: self.request.GET.get(k, "") for k in ("q", "stage", "owner")}
        if filters["owner"] and not filters["owner"].isdigit():
            filters["owner"] = ""
        if filters["stage"] not in Stage.values:
            filters["stage"] = ""
        return selectors.relationship_list(self.get_queryset(), filters), filters


class RelationshipBoardView(_RelationshipsMixin, TemplateView):
    """The kanban board: a column per stage; drag a card, or pick its stage."""

    required_capability = "reports.view"
    template_name = "influencers/relationship_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        relationships, filters = self.relationships()
        relationships = list(relationships)
        context.update(
            columns=selectors.relationship_board(relationships),
            total=len(relationships),
            filters=filters,
            stages=Stage.choices,
            alerts=list(selectors.open_health_alerts(self.brand, self.request.user)[:10]),
        )
        return context


class RelationshipListView(_RelationshipsMixin, TemplateView):
    """The relationships as a table, with pages."""

    required_capability = "reports.view"
    template_name = "influencers/relationship_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        relationships, filters = self.relationships()
        page_obj = Paginator(relationships, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page_obj,
            relationships=page_obj.object_list,
            filters=filters,
            stages=Stage.choices,
        )
        return context


class RelationshipOpenView(access.BrandViewMixin, FormView):
    """Open the brand's relationship with an influencer of the directory."""

    required_capability = "influencers.edit"
    model = Relationship
    form_class = RelationshipOpenForm
    template_name = "influencers/relationship_open.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        taken = self.get_queryset().values("influencer_id")
        kwargs["influencers"] = (
            Influencer.objects.for_user(self.request.user)
            .filter(agency_id=self.brand.agency_id)
            .exclude(pk__in=taken)
        )
        return kwargs

    def form_valid(self, form):
        try:
            relationship = services.relationship_open(
                actor=self.request.user,
                brand=self.brand,
                influencer=form.cleaned_data["influencer"],
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Relationship with {relationship.influencer} opened.")
        return redirect(relationship.get_absolute_url())


class RelationshipDetailView(access.BrandViewMixin, FormView):
    """One relationship: stage, owner and next step (editable by staff), health, the
    interaction log and its form."""

    required_capability = {"GET": "reports.view", "POST": "influencers.edit"}
    model = Relationship
    form_class = RelationshipForm
    template_name = "influencers/relationship_detail.html"

    def get_form_kwargs(self):
        self.object = get_object_or_404(
            self.get_queryset().select_related("influencer", "owner"), pk=self.kwargs["pk"]
        )
        kwargs = super().get_form_kwargs()
        kwargs["owners"] = selectors.owner_choices(self.brand)
        kwargs.setdefault(
            "initial",
            {},
        ).update(
            owner=self.object.owner_id,
            next_step=self.object.next_step,
            next_step_due=self.object.next_step_due,
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        r = self.object
        services.health_alerts_mark_read(actor=self.request.user, relationship=r)
        context.update(
            relationship=r,
            profiles=list(r.influencer.profiles.all()),
            interactions=list(r.interactions.select_related("by")),
            interaction_form=kwargs.get("interaction_form") or InteractionForm(),
            alerts=list(r.health_alerts.filter(resolved_at__isnull=True)),
            stages=Stage.choices,
            can_see_directory=access.can_use_directory(self.request.user, self.brand.agency),
            collaborations=selectors.collaborations_with_results(
                selectors.collaboration_list(r.collaborations.all()).order_by("-created_at")
            ),
        )
        return context

    def form_valid(self, form):
        try:
            services.relationship_update(
                actor=self.request.user, relationship=self.object, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, "Saved.")
        return redirect(self.object.get_absolute_url())


class RelationshipMoveView(access.BrandViewMixin, View):
    """Move a card to another stage (POST): the board's drag and drop (answers JSON)
    and each card's stage select (redirects back)."""

    required_capability = {"POST": "influencers.edit"}
    model = Relationship

    def post(self, request, *args, **kwargs):
        relationship = get_object_or_404(
            self.get_queryset().select_related("influencer"), pk=kwargs["pk"]
        )
        form = MoveForm(request.POST)
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        if not form.is_valid():
            if wants_json:
                return JsonResponse({"errors": form.errors}, status=400)
            messages.error(request, "Choose a stage to move to.")
            return redirect("influencers:relationship_board", brand_slug=self.brand.slug)
        services.relationship_move(
            actor=request.user, relationship=relationship, stage=form.cleaned_data["stage"]
        )
        if wants_json:
            return JsonResponse({"id": relationship.pk, "stage": relationship.stage})
        messages.success(
            request, f"{relationship.influencer} moved to {relationship.get_stage_display()}."
        )
        back = request.POST.get("back", "")
        if back == "detail":
            return redirect(relationship.get_absolute_url())
        return redirect("influencers:relationship_board", brand_slug=self.brand.slug)


class InteractionAddView(access.BrandViewMixin, View):
    """Log an interaction on a relationship (POST; ``pk`` is the relationship)."""

    required_capability = {"POST": "influencers.edit"}
    model = Relationship

    def post(self, request, *args, **kwargs):
        relationship = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        form = InteractionForm(request.POST)
        if form.is_valid():
            try:
                services.interaction_add(
                    actor=request.user, relationship=relationship, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, "Interaction logged.")
                return redirect(relationship.get_absolute_url())
        for field, errors in form.errors.items():
            label = form.fields[field].label or field if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label.capitalize() + ': ' if label else ''}{error}")
        return redirect(reverse("influencers:relationship_detail", kwargs=kwargs) + "#log")


# -- collaborations (per brand) --------------------------------------------------------


def _campaign_choices(view):
    return (
        Campaign.objects.for_user(view.request.user)
        .filter(brand=view.brand)
        .exclude(status=Campaign.Status.ARCHIVED)
        .order_by("-start_date", "name")
    )


class CollaborationListView(access.BrandViewMixin, TemplateView):
    """The brand's collaborations with their results, filtered by campaign and status."""

    required_capability = "reports.view"
    model = Collaboration
    template_name = "influencers/collaboration_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaigns = Campaign.objects.for_user(self.request.user).filter(brand=self.brand)
        form = CollaborationFilterForm(self.request.GET or None, campaigns=campaigns)
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        if filters.get("campaign"):
            filters["campaign"] = filters["campaign"].pk
        qs = selectors.collaboration_list(self.get_queryset(), filters).order_by(
            "-created_at", "-id"
        )
        page_obj = Paginator(qs, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            page_obj=page_obj,
            rows=selectors.collaborations_with_results(page_obj.object_list),
            filtered=any(filters.values()),
        )
        return context


class CollaborationDetailView(access.BrandViewMixin, TemplateView):
    """One collaboration: terms, deliverables, the content and its results."""

    required_capability = "reports.view"
    model = Collaboration
    template_name = "influencers/collaboration_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        collaboration = get_object_or_404(
            selectors.collaboration_list(self.get_queryset()), pk=self.kwargs["pk"]
        )
        context.update(
            collaboration=collaboration,
            results=selectors.collaboration_results(collaboration),
            rate_card=emv.rate_card(),
        )
        return context


class _CollaborationFormMixin(access.BrandViewMixin):
    """The collaboration form and its deliverables formset, saved all or nothing."""

    template_name = "influencers/collaboration_form.html"

    def forms(self, initial=None, deliverables=None):
        data = self.request.POST if self.request.method == "POST" else None
        form = CollaborationForm(data, initial=initial, campaigns=_campaign_choices(self))
        formset = DeliverableFormSet(data, initial=deliverables, prefix="deliverables")
        return form, formset

    def render(self, form, formset, **extra):
        return self.render_to_response(self.get_context_data(form=form, formset=formset, **extra))

    def submit(self, form, formset, save):
        """Validate both, apply the service's field errors to the right form, and save."""
        if not (form.is_valid() and formset.is_valid()):
            return None
        rows = [f.cleaned_data for f in formset.forms if f.has_row()]
        problems = services.deliverable_errors(form.cleaned_data["campaign"], rows)
        row_forms = [f for f in formset.forms if f.has_row()]
        for f, errors in zip(row_forms, problems, strict=True):
            for field, message in errors.items():
                f.add_error(field, message)
        if any(problems):
            return None
        data = dict(form.cleaned_data)
        try:
            return save(data, rows)
        except ValidationError as exc:
            for field, messages_ in getattr(exc, "message_dict", {}).items():
                form.add_error(field if field in form.fields else None, messages_)
            return None


class CollaborationCreateView(_CollaborationFormMixin, TemplateView):
    """ "Attach to a campaign": a new collaboration from a relationship (``pk``)."""

    required_capability = "influencers.edit"
    model = Relationship

    def relationship(self):
        return get_object_or_404(
            self.get_queryset().select_related("influencer"), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        relationship = self.relationship()
        form, formset = self.forms(initial={"status": Collaboration.Status.PROPOSED})
        return self.render(form, formset, relationship=relationship)

    def post(self, request, *args, **kwargs):
        relationship = self.relationship()
        form, formset = self.forms()

        def save(data, rows):
            campaign = data.pop("campaign")
            links = data.pop("links")
            return services.collaboration_create(
                actor=request.user,
                brand=self.brand,
                relationship=relationship,
                campaign=campaign,
                deliverables=rows,
                links=links,
                **data,
            )

        collaboration = self.submit(form, formset, save)
        if collaboration is None:
            return self.render(form, formset, relationship=relationship)
        messages.success(
            request,
            f"{relationship.influencer.name} is attached to {collaboration.campaign.name}.",
        )
        return redirect(collaboration.get_absolute_url())


class CollaborationUpdateView(_CollaborationFormMixin, TemplateView):
    """Edit a collaboration: terms, status, deliverables, content URLs, clicks."""

    required_capability = "influencers.edit"
    model = Collaboration

    def collaboration(self):
        return get_object_or_404(
            self.get_queryset().select_related("relationship__influencer", "campaign"),
            pk=self.kwargs["pk"],
        )

    def get(self, request, *args, **kwargs):
        c = self.collaboration()
        form, formset = self.forms(
            initial={
                "campaign": c.campaign_id,
                "status": c.status,
                "fee": c.fee,
                "currency": c.currency,
                "clicks": c.clicks,
                "notes": c.notes,
                "links": "\n".join(link.url for link in c.links.all() if link.typed),
            },
            deliverables=[
                {
                    "platform": d.platform,
                    "format": d.format,
                    "count": d.count,
                    "due_date": d.due_date,
                }
                for d in c.deliverables.all()
            ],
        )
        return self.render(form, formset, collaboration=c, relationship=c.relationship)

    def post(self, request, *args, **kwargs):
        c = self.collaboration()
        form, formset = self.forms()
        # The campaign of a collaboration does not change: start another one instead.
        form.fields["campaign"].queryset = _campaign_choices(self).filter(pk=c.campaign_id)

        def save(data, rows):
            data.pop("campaign")
            links = data.pop("links")
            return services.collaboration_update(
                actor=request.user, collaboration=c, deliverables=rows, links=links, **data
            )

        if self.submit(form, formset, save) is None:
            return self.render(form, formset, collaboration=c, relationship=c.relationship)
        messages.success(request, "Collaboration saved.")
        return redirect(c.get_absolute_url())


class CollaborationDeleteView(access.BrandViewMixin, View):
    """Remove a collaboration (POST)."""

    required_capability = {"POST": "influencers.edit"}
    model = Collaboration

    def post(self, request, *args, **kwargs):
        c = get_object_or_404(self.get_queryset().select_related("relationship"), pk=kwargs["pk"])
        relationship = c.relationship
        services.collaboration_delete(actor=request.user, collaboration=c)
        messages.success(request, "Collaboration removed.")
        return redirect(relationship.get_absolute_url())
