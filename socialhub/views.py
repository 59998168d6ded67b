"""Pages of the tenancy core: the brand list, brand home and members, agency settings,
invitations. Each view parses, calls one service or selector, and renders."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView, UpdateView
from rest_framework.authtoken.models import Token

from socialhub import access, overview, selectors, services
from socialhub.forms import (
    AgencyInviteForm,
    AgencyMemberForm,
    AgencySettingsForm,
    BrandForm,
    BrandInviteForm,
    BrandMemberForm,
    InvitationSignupForm,
)
from socialhub.models import AuditEvent, Brand, BrandMembership, Invitation, User


def _form_errors_from(exc: ValidationError, form) -> None:
    """Put a service's ValidationError on the form, on its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# -- landing ---------------------------------------------------------------------------


class CreateOrEditFormMixin:
    """A form page that creates an object, or edits the one whose ``pk`` is in the URL.

    Sets ``self.object`` (None when creating) and hands it to the form as ``instance``.
    The lookup goes through ``object_queryset()``, by default ``get_queryset()`` of the
    access layer, so only the brand's own rows are found (else 404)."""

    object = None

    def object_queryset(self):
        return self.get_queryset()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.object = None
        if "pk" in self.kwargs:
            self.object = get_object_or_404(self.object_queryset(), pk=self.kwargs["pk"])
        kwargs["instance"] = self.object
        return kwargs


class HomeView(LoginRequiredMixin, TemplateView):
    """Where people land: their brands, grouped by agency."""

    template_name = "socialhub/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = selectors.brand_switcher(self.request.user)
        # Each brand's headline figures (socialhub.overview), read for all brands at once.
        figures = overview.figures_for(
            [b for _, brands in groups for b in brands], self.request.user
        )
        context["groups"] = [
            (agency, [(brand, figures[brand.pk]) for brand in brands]) for agency, brands in groups
        ]
        context["brand_count"] = sum(len(brands) for _, brands in groups)
        return context


class HealthView(View):
    """Liveness and database check for load balancers: /healthz/."""

    def get(self, request):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})


class ApiTokenView(LoginRequiredMixin, TemplateView):
    """A personal API token: create, show, replace or delete."""

    template_name = "socialhub/api_token.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = Token.objects.filter(user=self.request.user).first()
        return context

    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            Token.objects.create(user=request.user)
            messages.success(request, "A new API token was created. Keep it secret.")
        else:
            messages.success(request, "Your API token was deleted.")
        return redirect("socialhub:api_token")


# -- brand pages -----------------------------------------------------------------------


class BrandHomeView(access.BrandViewMixin, TemplateView):
    """The brand's home: the work loop at a glance (a card per app: listening, inbox,
    alerts, campaigns, calendar, influencers), who works on it, what the brand listens
    for, recent activity."""

    required_capability = "brand.view"
    template_name = "socialhub/brand_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Cards of the apps built on the core (socialhub.overview), those the role may open.
        context["sections"] = overview.sections_for(self.brand, self.request.user)
        context["members"] = selectors.brand_members(self.brand)
        context["admins"] = selectors.agency_admins(self.brand.agency)
        if access.can(self.request.user, "members.manage", self.brand):
            context["recent_events"] = selectors.audit_events(self.brand.agency, self.brand)[:5]
        return context


class BrandSettingsView(access.BrandViewMixin, FormView):
    """Edit the brand's name, time zone, languages, competitors and description."""

    required_capability = "brand.edit"
    template_name = "socialhub/brand_form.html"
    form_class = BrandForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.brand}

    def form_valid(self, form):
        data = {f: form.cleaned_data[f] for f in services.BRAND_EDITABLE_FIELDS}
        try:
            services.brand_update(actor=self.request.user, brand=self.brand, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.brand.name} was saved.")
        return redirect("socialhub:brand_settings", brand_slug=self.brand.slug)


class BrandMembershipListView(access.BrandViewMixin, ListView):
    """People who work on the brand, with their roles and pending invitations."""

    required_capability = "members.view"
    model = BrandMembership
    template_name = "socialhub/brandmembership_list.html"
    context_object_name = "memberships"

    def scope_queryset(self, qs):
        return (
            qs.select_related("user")
            .annotate(seniority=selectors.ROLE_SENIORITY)
            .order_by("seniority", "user__email")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["admins"] = selectors.agency_admins(self.brand.agency)
        if access.can(self.request.user, "members.manage", self.brand):
            context["invitations"] = selectors.pending_invitations(self.brand.agency, self.brand)
            context["invite_form"] = BrandInviteForm()
        return context


class BrandMembershipInviteView(access.BrandViewMixin, FormView):
    """Invite someone to this brand with a role."""

    required_capability = "members.manage"
    template_name = "socialhub/brand_invite_form.html"
    form_class = BrandInviteForm

    def form_valid(self, form):
        try:
            services.invitation_create(
                actor=self.request.user,
                agency=self.brand.agency,
                email=form.cleaned_data["email"],
                brand_roles={self.brand: form.cleaned_data["role"]},
                base_url=self.request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {form.cleaned_data['email']}.")
        return redirect("socialhub:brandmembership_list", brand_slug=self.brand.slug)


class BrandMembershipUpdateView(access.BrandViewMixin, UpdateView):
    """Change one member's role in this brand."""

    required_capability = "members.manage"
    model = BrandMembership
    form_class = BrandMemberForm
    template_name = "socialhub/brandmembership_form.html"
    context_object_name = "membership"

    def scope_queryset(self, qs):
        return qs.select_related("user")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        kwargs["initial"] = {"role": self.object.role}
        return kwargs

    def form_valid(self, form):
        services.membership_set_role(
            actor=self.request.user,
            brand=self.brand,
            user=self.object.user,
            role=form.cleaned_data["role"],
        )
        messages.success(self.request, f"{self.object.user} is now {form.cleaned_data['role']}.")
        return redirect("socialhub:brandmembership_list", brand_slug=self.brand.slug)


class BrandMembershipDeleteView(access.BrandViewMixin, DetailView):
    """Take a member's role in this brand away (confirm, then POST)."""

    required_capability = "members.manage"
    model = BrandMembership
    template_name = "socialhub/brandmembership_confirm_delete.html"
    context_object_name = "membership"

    def scope_queryset(self, qs):
        return qs.select_related("user")

    def post(self, request, *args, **kwargs):
        membership = self.get_object()
        services.membership_set_role(
            actor=request.user, brand=self.brand, user=membership.user, role=None
        )
        messages.success(request, f"{membership.user} no longer works on {self.brand.name}.")
        return redirect("socialhub:brandmembership_list", brand_slug=self.brand.slug)


class BrandAuditEventListView(access.BrandViewMixin, ListView):
    """The brand's part of the audit trail."""

    required_capability = "members.manage"
    model = AuditEvent
    template_name = "socialhub/brand_auditevent_list.html"
    context_object_name = "events"
    paginate_by = 50

    def scope_queryset(self, qs):
        return qs.select_related("actor", "brand")


# -- agency settings -------------------------------------------------------------------


class AgencyOverviewView(access.AgencyAdminMixin, TemplateView):
    """The agency admin's start page: brands, people, recent activity."""

    template_name = "socialhub/agency_overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agency = self.agency
        since = timezone.now() - timedelta(days=29)
        per_day = dict(
            AuditEvent.objects.filter(agency=agency, created_at__gte=since)
            .annotate(day=TruncDate("created_at"))
            .values_list("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        days = [(since + timedelta(days=i)).date() for i in range(30)]
        context.update(
            brands=agency.brands.annotate(member_count=Count("memberships")).order_by(
                "archived_at", "name"
            ),
            member_count=agency.memberships.count(),
            pending_count=len(selectors.pending_invitations(agency)),
            recent_events=selectors.audit_events(agency)[:8],
            activity=[(d, per_day.get(d, 0)) for d in days],
            activity_labels=[d.isoformat() for d in days],
            activity_values=[per_day.get(d, 0) for d in days],
        )
        return context


class AgencyBrandListView(access.AgencyAdminMixin, ListView):
    """Every brand of the agency, archived ones included."""

    model = Brand
    template_name = "socialhub/agency_brand_list.html"
    context_object_name = "brands"

    def scope_queryset(self, qs):
        return qs.annotate(member_count=Count("memberships")).order_by("archived_at", "name")


class AgencyBrandCreateView(access.AgencyAdminMixin, FormView):
    """Create a client brand."""

    template_name = "socialhub/agency_brand_form.html"
    form_class = BrandForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            brand = services.brand_create(
                actor=self.request.user,
                agency=self.agency,
                name=data["name"],
                slug=data.get("slug") or "",
                timezone_name=data["timezone"],
                languages=data["languages"],
                competitors=data["competitors"],
                description=data["description"],
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{brand.name} was created.")
        return redirect("socialhub:brand_home", brand_slug=brand.slug)


class AgencyBrandUpdateView(access.AgencyAdminMixin, UpdateView):
    """Edit a brand from the agency settings, or archive / restore it."""

    model = Brand
    form_class = BrandForm
    template_name = "socialhub/agency_brand_form.html"
    context_object_name = "edited_brand"

    def form_valid(self, form):
        if "archive" in self.request.POST or "restore" in self.request.POST:
            services.brand_set_archived(
                actor=self.request.user, brand=self.object, archived="archive" in self.request.POST
            )
            verb = "archived" if "archive" in self.request.POST else "restored"
            messages.success(self.request, f"{self.object.name} was {verb}.")
            return redirect("socialhub:agency_brand_list", agency_slug=self.agency.slug)
        data = {f: form.cleaned_data[f] for f in services.BRAND_EDITABLE_FIELDS}
        try:
            services.brand_update(actor=self.request.user, brand=self.object, **data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.object.name} was saved.")
        return redirect("socialhub:agency_brand_list", agency_slug=self.agency.slug)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if "archive" in request.POST or "restore" in request.POST:
            return self.form_valid(None)
        return super().post(request, *args, **kwargs)


class AgencyMemberListView(access.AgencyAdminMixin, TemplateView):
    """Everyone in the agency with their role in each brand, and pending invitations."""

    template_name = "socialhub/agency_member_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        brands = list(self.agency.brands.active())
        rows = selectors.agency_members(self.agency)
        context.update(
            brands=brands,
            rows=[(row, [row.roles.get(b.pk, "") for b in brands]) for row in rows],
            invitations=selectors.pending_invitations(self.agency),
        )
        return context


class AgencyInviteView(access.AgencyAdminMixin, FormView):
    """Invite someone to the agency with a role per brand, or as an admin."""

    template_name = "socialhub/agency_invite_form.html"
    form_class = AgencyInviteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "brands": list(self.agency.brands.active())}

    def form_valid(self, form):
        try:
            services.invitation_create(
                actor=self.request.user,
                agency=self.agency,
                email=form.cleaned_data["email"],
                brand_roles=form.brand_roles(),
                is_admin=form.cleaned_data["is_admin"],
                base_url=self.request.build_absolute_uri("/"),
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Invitation sent to {form.cleaned_data['email']}.")
        return redirect("socialhub:agency_member_list", agency_slug=self.agency.slug)


class AgencyMemberUpdateView(access.AgencyAdminMixin, FormView):
    """Change one member's roles across the agency's brands and their admin flag."""

    template_name = "socialhub/agency_member_form.html"
    form_class = AgencyMemberForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.member_id = kwargs["pk"]

    def get_member(self) -> User:
        return get_object_or_404(User, pk=self.member_id, agency_memberships__agency=self.agency)

    def get_form_kwargs(self):
        self.member = self.get_member()
        self.brands = list(self.agency.brands.active())
        roles = selectors.member_roles(self.agency, self.member)
        membership = self.member.agency_memberships.get(agency=self.agency)
        kwargs = super().get_form_kwargs()
        kwargs.update(brands=self.brands, roles=roles)
        kwargs.setdefault("initial", {})["is_admin"] = membership.is_admin
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        return context

    def form_valid(self, form):
        try:
            services.agency_set_admin(
                actor=self.request.user,
                agency=self.agency,
                user=self.member,
                is_admin=form.cleaned_data["is_admin"],
            )
            for brand in self.brands:
                services.membership_set_role(
                    actor=self.request.user,
                    brand=brand,
                    user=self.member,
                    role=form.cleaned_data[f"role_{brand.pk}"] or None,
                )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"Roles of {self.member} were saved.")
        return redirect("socialhub:agency_member_list", agency_slug=self.agency.slug)


class AgencyMemberRemoveView(access.AgencyAdminMixin, TemplateView):
    """Remove someone from the agency and all its brands (confirm, then POST)."""

    template_name = "socialhub/agency_member_confirm_remove.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = get_object_or_404(
            User, pk=self.kwargs["pk"], agency_memberships__agency=self.agency
        )
        return context

    def post(self, request, *args, **kwargs):
        member = get_object_or_404(User, pk=kwargs["pk"], agency_memberships__agency=self.agency)
        try:
            services.agency_member_remove(actor=request.user, agency=self.agency, user=member)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("socialhub:agency_member_list", agency_slug=self.agency.slug)
        messages.success(request, f"{member} was removed from {self.agency.name}.")
        return redirect("socialhub:agency_member_list", agency_slug=self.agency.slug)


class AgencyInvitationRevokeView(access.AgencyAdminMixin, View):
    """Revoke a pending invitation (POST only)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = get_object_or_404(Invitation, pk=kwargs["pk"], agency=self.agency)
        try:
            services.invitation_revoke(actor=request.user, invitation=invitation)
            messages.success(request, f"The invitation of {invitation.email} was revoked.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("socialhub:agency_member_list", agency_slug=self.agency.slug)


class AgencyAuditEventListView(access.AgencyAdminMixin, ListView):
    """The agency's audit trail: who changed which role, invited or removed whom, when."""

    model = AuditEvent
    template_name = "socialhub/agency_auditevent_list.html"
    context_object_name = "events"
    paginate_by = 50

    def scope_queryset(self, qs):
        qs = qs.select_related("actor", "brand")
        action = self.request.GET.get("action")
        if action in AuditEvent.Action.values:
            qs = qs.filter(action=action)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = AuditEvent.Action.choices
        context["current_action"] = self.request.GET.get("action", "")
        return context


class AgencySettingsView(access.AgencyAdminMixin, FormView):
    """The agency's name and whether two-factor is required."""

    template_name = "socialhub/agency_settings.html"
    form_class = AgencySettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.agency}

    def form_valid(self, form):
        services.agency_update(
            actor=self.request.user,
            agency=self.agency,
            name=form.cleaned_data["name"],
            require_mfa=form.cleaned_data["require_mfa"],
        )
        messages.success(self.request, "Agency settings were saved.")
        return redirect("socialhub:agency_settings", agency_slug=self.agency.slug)


# -- invitations -----------------------------------------------------------------------


def invitation_accept(request, token: str):
    """Open an invitation link: sign up (new address) or accept (signed in as the invitee)."""
    invitation = services.invitation_by_token(token)
    if invitation is None or invitation.status != "pending":
        status = invitation.status if invitation else "unknown"
        return render(request, "socialhub/invitation_invalid.html", {"status": status}, status=410)
    brands = list(Brand.objects.filter(pk__in=invitation.brand_roles))
    context = {
        "invitation": invitation,
        "grants": [(b, invitation.brand_roles[str(b.pk)]) for b in brands],
    }
    existing = User.objects.filter(email__iexact=invitation.email).first()

    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            context["wrong_account"] = True
            return render(request, "socialhub/invitation_accept.html", context, status=403)
        if request.method == "POST":
            services.invitation_accept(invitation=invitation, user=request.user)
            messages.success(request, f"Welcome to {invitation.agency.name}.")
            return redirect(brands[0] if brands else "home")
        return render(request, "socialhub/invitation_accept.html", context)

    if existing is not None:
        # The invitee has an account: they sign in, then come back to accept.
        context["login_url"] = f"{reverse('account_login')}?next={request.path}"
        return render(request, "socialhub/invitation_accept.html", context)

    form = InvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(
            email=invitation.email,
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            email_verified=True,
        )
        services.invitation_accept(invitation=invitation, user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {invitation.agency.name}.")
        return redirect(brands[0] if brands else "home")
    context["form"] = form
    return render(request, "socialhub/invitation_accept.html", context)


# -- errors ----------------------------------------------------------------------------


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"message": message}, status=403)


def error_404(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def error_500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Server error; it has been logged."}, status=500)
    # No context processors run here: the database may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render({}))
