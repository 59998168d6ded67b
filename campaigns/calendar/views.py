"""Content calendar pages of a brand (every one through socialhub.access.BrandViewMixin),
and the two public pages whose token is the credential: the client's approval page and
the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import FormView, TemplateView, View

from campaigns.calendar import ics, selectors, services
from campaigns.calendar.forms import (
    ApprovalLinkForm,
    CalendarFilterForm,
    CommentForm,
    DecisionForm,
    MarkPublishedForm,
    MoveForm,
    PostForm,
    ScheduleForm,
    SocialAccountForm,
)
from campaigns.calendar.limits import LIMITS
from campaigns.models import ApprovalLink, CalendarFeed, ContentPost, PostMedia, SocialAccount
from socialhub import access
from socialhub.views import CreateOrEditFormMixin, _form_errors_from

Status = ContentPost.Status


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# -- channels --------------------------------------------------------------------------


class SocialAccountListView(access.BrandViewMixin, TemplateView):
    """The brand's own channels; secrets show as "set", never their value."""

    required_capability = "campaigns.manage"
    model = SocialAccount
    template_name = "calendar/socialaccount_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["accounts"] = list(self.get_queryset().order_by("platform", "handle"))
        return context


class SocialAccountFormView(CreateOrEditFormMixin, access.BrandViewMixin, FormView):
    """Add a channel, or edit one (``pk`` in the URL)."""

    required_capability = "campaigns.manage"
    model = SocialAccount
    form_class = SocialAccountForm
    template_name = "calendar/socialaccount_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = self.object
        return context

    def form_valid(self, form):
        try:
            if self.object is None:
                account = services.social_account_create(
                    actor=self.request.user,
                    brand=self.brand,
                    credentials=form.credentials(),
                    **form.account_fields(),
                )
            else:
                account = services.social_account_update(
                    actor=self.request.user,
                    account=self.object,
                    credentials=form.credentials(),
                    **form.account_fields(),
                )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(self.request, f"{account} was saved.")
        return redirect("calendar:socialaccount_list", brand_slug=self.brand.slug)


# -- the calendar ----------------------------------------------------------------------


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


class CalendarView(access.BrandViewMixin, TemplateView):
    """Month (default), week or list view of the brand's posts in its time zone, with
    filters, gap and double-booking warnings, and drag-and-drop rescheduling."""

    required_capability = "brand.view"
    model = ContentPost
    template_name = "calendar/calendar.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = list(selectors.social_accounts(self.brand))
        campaigns = selectors.brand_campaigns(self.brand)
        form = CalendarFilterForm(
            self.request.GET or None,
            accounts=selectors.social_accounts(self.brand),
            campaigns=campaigns,
        )
        filters = {}
        if form.is_bound:
            form.is_valid()
            filters = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
        tz = selectors.brand_tz(self.brand)
        today = datetime.now(UTC).astimezone(tz).date()
        anchor = filters.get("date") or today
        view = filters.get("view") or "month"
        posts = selectors.filter_posts(self.get_queryset(), filters)
        context.update(form=form, view=view, today=today, anchor=anchor, tz=tz)
        context["filter_query"] = self._filter_query(filters)
        if view == "list":
            rows = posts.order_by("scheduled_at", "id")
            page_obj = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
            for post in page_obj.object_list:
                post.local_at = post.scheduled_at.astimezone(tz) if post.scheduled_at else None
            context.update(page_obj=page_obj, posts=page_obj.object_list, warnings=[])
            return context
        if view == "week":
            first = anchor - timedelta(days=anchor.weekday())
            days, shown = selectors.calendar_week(self.brand, posts, first)
            weeks, last = [days], first + timedelta(days=6)
            context.update(
                prev_date=first - timedelta(days=7),
                next_date=first + timedelta(days=7),
                title=f"Week of {first:%d %b %Y}",
            )
        else:
            month = _month_start(anchor)
            weeks, shown = selectors.calendar_month(self.brand, posts, month.year, month.month)
            first, last = weeks[0][0].date, weeks[-1][-1].date
            context.update(
                prev_date=_add_months(month, -1),
                next_date=_add_months(month, 1),
                title=f"{month:%B %Y}",
            )
        # Gaps and double-bookings are about channels: a status or campaign filter must
        # not hide the posts that fill a day (one more query, only when filtered).
        if filters.get("status") or filters.get("campaign"):
            unfiltered = selectors.filter_posts(
                self.get_queryset(), {"account": filters.get("account")}
            )
            for_warnings = selectors.posts_between(self.brand, unfiltered, first, last)
        else:
            for_warnings = shown
        warn_accounts = [
            a for a in accounts if not filters.get("account") or a == filters["account"]
        ]
        warnings = selectors.calendar_warnings(self.brand, for_warnings, warn_accounts, first, last)
        context.update(weeks=weeks, warnings=warnings, posts=shown)
        return context

    def _filter_query(self, filters) -> str:
        keep = {}
        for key in ("account", "campaign"):
            if filters.get(key):
                keep[key] = filters[key].pk
        if filters.get("status"):
            keep["status"] = filters["status"]
        return urlencode(keep)


# -- posts -----------------------------------------------------------------------------


class PostFormView(access.BrandViewMixin, FormView):
    """Write a post, or edit one (``pk``). Clients never get here (content.draft)."""

    required_capability = "content.draft"
    model = ContentPost
    form_class = PostForm
    template_name = "calendar/contentpost_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.object = None
        if "pk" in self.kwargs:
            self.object = get_object_or_404(
                selectors.post_detail(self.get_queryset()), pk=self.kwargs["pk"]
            )
        kwargs.update(
            instance=self.object,
            brand=self.brand,
            accounts=selectors.social_accounts(self.brand),
            campaigns=selectors.brand_campaigns(self.brand),
        )
        if self.object is None and self.request.method == "GET":
            day = self.request.GET.get("date", "")
            try:
                kwargs["initial"] = {"scheduled_date": date.fromisoformat(day)} if day else {}
            except ValueError:
                kwargs["initial"] = {}
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["post"] = self.object
        context["limits"] = LIMITS
        context["has_accounts"] = selectors.social_accounts(self.brand).exists()
        return context

    def form_valid(self, form):
        fields = form.post_fields()
        images = form.cleaned_data.get("images") or []
        try:
            if self.object is None:
                post = services.post_create(
                    actor=self.request.user, brand=self.brand, images=images, **fields
                )
                messages.success(self.request, "Draft saved. Submit it for review when ready.")
            else:
                was = self.object.status
                remove = [int(x) for x in self.request.POST.getlist("remove_media") if x.isdigit()]
                post = services.post_update(
                    actor=self.request.user,
                    post=self.object,
                    images=images,
                    remove_media=remove,
                    **fields,
                )
                if was != post.status and post.status == Status.IN_REVIEW:
                    messages.warning(
                        self.request, "The post was approved; after this edit it is back in review."
                    )
                else:
                    messages.success(self.request, "Post saved.")
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        return redirect("calendar:post_detail", brand_slug=self.brand.slug, pk=post.pk)


def _post_actions(post: ContentPost, caps: frozenset[str]) -> dict[str, bool]:
    """Which workflow buttons the viewer's role may use on the post now."""
    draft = "content.draft" in caps
    return {
        "edit": draft and post.status in services.OPEN_STATUSES,
        "submit": draft and post.status in (Status.DRAFT, Status.CHANGES_REQUESTED),
        "decide": "content.approve" in caps and post.status == Status.IN_REVIEW,
        "schedule": "campaigns.manage" in caps and post.status == Status.APPROVED,
        "move": draft and post.status in services.OPEN_STATUSES,
        "mark_published": draft
        and post.status in (Status.READY, Status.SCHEDULED, Status.APPROVED, Status.FAILED)
        and not (post.status == Status.SCHEDULED and post.account.can_publish),
        "cancel": draft and post.status in services.OPEN_STATUSES,
        "comment": "content.comment" in caps,
    }


class PostDetailView(access.BrandViewMixin, TemplateView):
    """A post: preview, history (who did what), comments, the buttons the role allows."""

    required_capability = "brand.view"
    model = ContentPost
    template_name = "calendar/contentpost_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post = get_object_or_404(selectors.post_detail(self.get_queryset()), pk=self.kwargs["pk"])
        tz = selectors.brand_tz(self.brand)
        post.local_at = post.scheduled_at.astimezone(tz) if post.scheduled_at else None
        context.update(
            post=post,
            events=selectors.post_history(post),
            comments=selectors.post_comments(post),
            actions=_post_actions(post, context["caps"]),
            decision_form=DecisionForm(),
            comment_form=CommentForm(),
            move_form=MoveForm(initial={"date": post.local_at.date() if post.local_at else None}),
            schedule_form=ScheduleForm(
                initial={
                    "scheduled_date": post.local_at.date() if post.local_at else None,
                    "scheduled_time": post.local_at.time() if post.local_at else None,
                }
            ),
            published_form=MarkPublishedForm(),
        )
        return context


class _PostActionView(access.BrandViewMixin, View):
    """A workflow button (POST): find the post, run one service, say what happened."""

    model = ContentPost
    form_class = None

    def post(self, request, *args, **kwargs):
        post = get_object_or_404(
            self.get_queryset().select_related("account", "brand"), pk=kwargs["pk"]
        )
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            errors = "; ".join(f"{e}" for errs in form.errors.values() for e in errs)
            return self.respond(post, ok=False, message=errors)
        try:
            message = self.act(post, form)
        except ValidationError as exc:
            return self.respond(post, ok=False, message=_errors(exc))
        return self.respond(post, ok=True, message=message)

    def act(self, post: ContentPost, form) -> str:
        """Each action view's one job: do it through the calendar's services and say
        what was done (a ValidationError says why not)."""
        raise TypeError(f"{type(self).__name__} must define act()")

    def wants_json(self) -> bool:
        return "application/json" in self.request.headers.get("Accept", "")

    def respond(self, post: ContentPost, *, ok: bool, message: str):
        if self.wants_json():
            return JsonResponse({"ok": ok, "message": message}, status=200 if ok else 400)
        (messages.success if ok else messages.error)(self.request, message)
        return redirect("calendar:post_detail", brand_slug=self.brand.slug, pk=post.pk)


class PostSubmitView(_PostActionView):
    required_capability = {"POST": "content.draft"}

    def act(self, post, form):
        services.post_submit(actor=self.request.user, post=post)
        return "Submitted for review."


class PostDecisionView(_PostActionView):
    """Approve, or request changes with a comment (content.approve: never an analyst)."""

    required_capability = {"POST": "content.approve"}
    form_class = DecisionForm

    def act(self, post, form):
        comment = form.cleaned_data.get("comment") or ""
        if form.cleaned_data["decision"] == "approve":
            post = services.post_approve(actor=self.request.user, post=post, comment=comment)
            if post.status == Status.SCHEDULED:
                return "Approved and scheduled."
            return "Approved."
        services.post_request_changes(actor=self.request.user, post=post, comment=comment)
        return "Changes requested."


class PostScheduleView(_PostActionView):
    required_capability = {"POST": "campaigns.manage"}
    form_class = ScheduleForm

    def act(self, post, form):
        post = services.post_schedule(
            actor=self.request.user, post=post, scheduled_at=form.scheduled_at(self.brand)
        )
        return "Scheduled."


class PostMoveView(_PostActionView):
    """Reschedule to another day at the same local time (drag-and-drop, or the form)."""

    required_capability = {"POST": "content.draft"}
    form_class = MoveForm

    def act(self, post, form):
        post = services.post_move_to_date(
            actor=self.request.user, post=post, day=form.cleaned_data["date"]
        )
        local = post.scheduled_at.astimezone(selectors.brand_tz(self.brand))
        return f"Moved to {local:%a %d %b %Y, %H:%M} ({self.brand.timezone})."


class PostMarkPublishedView(_PostActionView):
    required_capability = {"POST": "content.draft"}
    form_class = MarkPublishedForm

    def act(self, post, form):
        services.post_mark_published(
            actor=self.request.user, post=post, url=form.cleaned_data["url"]
        )
        return "Marked as published."


class PostCancelView(_PostActionView):
    required_capability = {"POST": "content.draft"}

    def act(self, post, form):
        services.post_cancel(actor=self.request.user, post=post)
        return "Post cancelled."


class PostCommentView(_PostActionView):
    required_capability = {"POST": "content.comment"}
    form_class = CommentForm

    def act(self, post, form):
        comment = services.post_comment(
            actor=self.request.user, post=post, text=form.cleaned_data["text"]
        )
        people = list(comment.mentioned.all())
        if people:
            names = ", ".join(p.display_name for p in people)
            return f"Comment added; {names} will get an email."
        return "Comment added."


# -- approval links --------------------------------------------------------------------


class ApprovalLinkListView(access.BrandViewMixin, FormView):
    """A manager's links for clients without an account: create, see, revoke."""

    required_capability = "campaigns.manage"
    model = ApprovalLink
    form_class = ApprovalLinkForm
    template_name = "calendar/approvallink_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        links = list(self.get_queryset().select_related("created_by").order_by("-created_at"))
        for link in links:
            link.url = self.request.build_absolute_uri(
                reverse("calendar_public:approve", kwargs={"token": link.token})
            )
        context["links"] = links
        return context

    def form_valid(self, form):
        try:
            link = services.approval_link_create(
                actor=self.request.user, brand=self.brand, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Link for {link.recipient_name} created, valid until {link.expires_at:%d %b %Y}. "
            "Copy it from the list and send it.",
        )
        return redirect("calendar:approvallink_list", brand_slug=self.brand.slug)


class ApprovalLinkRevokeView(access.BrandViewMixin, View):
    required_capability = {"POST": "campaigns.manage"}
    model = ApprovalLink

    def post(self, request, *args, **kwargs):
        link = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        services.approval_link_revoke(actor=request.user, link=link)
        messages.success(request, f"The link for {link.recipient_name} no longer works.")
        return redirect("calendar:approvallink_list", brand_slug=self.brand.slug)


# -- the iCalendar feed ----------------------------------------------------------------


class CalendarFeedView(access.BrandViewMixin, TemplateView):
    """The private address of the brand's .ics feed; a manager can rotate it (POST)."""

    required_capability = {"GET": "brand.view", "POST": "campaigns.manage"}
    model = CalendarFeed
    template_name = "calendar/calendarfeed.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feed = services.calendar_feed_get_or_create(brand=self.brand)
        context["feed_url"] = self.request.build_absolute_uri(
            reverse("calendar_public:ics", kwargs={"token": feed.token})
        )
        return context

    def post(self, request, *args, **kwargs):
        services.calendar_feed_rotate(actor=request.user, brand=self.brand)
        messages.success(request, "A new private address was made; the old one stopped working.")
        return redirect("calendar:feed", brand_slug=self.brand.slug)


# -- public pages: the token is the credential --------------------------------------------


def _link_or_error(request, token: str):
    """The valid approval link, or the page that says why not (404/410/403)."""
    link = selectors.approval_link_by_token(token)
    if link is None or link.brand.archived_at is not None:
        return None, render(
            request, "calendar/approve_invalid.html", {"reason": "unknown"}, status=404
        )
    if link.revoked_at is not None:
        return None, render(
            request,
            "calendar/approve_invalid.html",
            {"reason": "revoked", "link": link},
            status=403,
        )
    if not link.is_valid:
        return None, render(
            request,
            "calendar/approve_invalid.html",
            {"reason": "expired", "link": link},
            status=410,
        )
    return link, None


def approval_page(request, token: str):
    """A client's read-only list of the brand's posts in review, with approve / request
    changes / comment on each; decisions are recorded with the link."""
    link, error = _link_or_error(request, token)
    if error is not None:
        return error
    brand = link.brand
    if request.method == "POST":
        post = (
            selectors.posts_awaiting_review(brand).filter(pk=_int(request.POST.get("post"))).first()
        )
        action = request.POST.get("action")
        text = (request.POST.get("comment") or "").strip()
        try:
            if post is None:
                raise ValidationError("That post is no longer waiting for review.")
            if action == "approve":
                services.post_approve(actor=None, post=post, link=link, comment=text)
                messages.success(request, "Approved. Thank you!")
            elif action == "changes":
                services.post_request_changes(actor=None, post=post, link=link, comment=text)
                messages.success(request, "Your request for changes was sent.")
            elif action == "comment":
                services.post_comment(actor=None, post=post, link=link, text=text)
                messages.success(request, "Comment sent.")
            else:
                raise ValidationError("Choose approve, request changes or comment.")
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        return redirect("calendar_public:approve", token=token)
    services.approval_link_touch(link)
    tz = selectors.brand_tz(brand)
    posts = list(selectors.posts_awaiting_review(brand))
    for post in posts:
        post.local_at = post.scheduled_at.astimezone(tz) if post.scheduled_at else None
    return render(request, "calendar/approve.html", {"link": link, "brand": brand, "posts": posts})


def _int(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


def ics_feed(request, token: str):
    """The brand's posts as an iCalendar feed (the private token is the credential)."""
    if request.method != "GET" and request.method != "HEAD":
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    feed = selectors.calendar_feed_by_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    brand = feed.brand

    def url_for(post):
        return request.build_absolute_uri(
            reverse("calendar:post_detail", kwargs={"brand_slug": brand.slug, "pk": post.pk})
        )

    body = ics.render(brand, selectors.feed_posts(brand), host=request.get_host(), url_for=url_for)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{brand.slug}-calendar.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _media_response(media: PostMedia) -> FileResponse:
    """An uploaded image, as stored: its checked type, never sniffed by the browser."""
    try:
        handle = media.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The image file is missing.") from exc
    response = FileResponse(handle, content_type=media.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class PostMediaView(access.BrandViewMixin, View):
    """An image attached to one of the brand's posts, for the brand's members."""

    required_capability = "brand.view"
    model = PostMedia

    def get(self, request, *args, **kwargs):
        return _media_response(get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"]))


def approval_media(request, token: str, pk: int):
    """An image of a post the approval link's recipient is asked to review."""
    link, error = _link_or_error(request, token)
    if error is not None:
        return error
    media = selectors.media_awaiting_review(link.brand, pk)
    if media is None:
        raise Http404("No such image.")
    return _media_response(media)
