"""Pages for cases and referrals: record, refer, answer, follow up. Thin: each parses a form,
calls one domain function and renders. Personal data is only ever in request bodies and
pages, never in an address, and pages holding it are not cached."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from santuni.accounts.access import active_membership, role_required
from santuni.accounts.models import Role
from santuni.directory.models import Service
from santuni.directory.selectors import SearchQuery, services_search
from santuni.lib.domain import Refusal
from santuni.lib.forms import posted

from . import mykad, notify, selectors, workflow
from .forms import (
    AttachmentForm,
    CaseForm,
    ListFilterForm,
    NoteForm,
    ReferralActionForm,
    ReferralForm,
)
from .models import Attachment, Case, Consent, Notification, Referral, Urgency
from .selectors import CASE_READERS, CASE_ROLES, OFFICERS, REFERRAL_ROLES, ListFilter
from .services import cases, referrals, sharing
from .services.refusals import StaleVersion

CASE_WRITERS = (Role.CBO_HEAD, Role.CBO_MEMBER)
# Who is told of referrals' steps (notify): a state officer reads them, and is not.
NOTIFIED = (*CASE_ROLES, Role.AGENCY_FOCAL_POINT)


def _filters(request, statuses) -> tuple[ListFilterForm, ListFilter]:
    """The filters asked for; a wrong value is marked on the form and the others still apply."""
    form = ListFilterForm(request.GET or None, statuses=statuses)
    if not form.is_bound:
        return form, ListFilter()
    form.is_valid()
    data = form.cleaned_data
    return form, ListFilter(
        data.get("status", ""), data.get("urgency", ""), data.get("target_group")
    )


def _page(request, items):
    return Paginator(items, settings.SANTUNI["PAGE_SIZE"]).get_page(request.GET.get("page"))


def _params(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@never_cache
@role_required(*CASE_READERS)
def case_list(request):
    membership = active_membership(request)
    form, filters = _filters(request, Case.Status.choices)
    page = _page(request, selectors.case_list(membership, filters))
    return render(
        request,
        "cases/case_list.html",
        {
            "form": form,
            "page": page,
            "params": _params(request),
            "can_record": membership.role in CASE_WRITERS,
        },
    )


@never_cache
@role_required(*CASE_READERS)
def danger(request):
    return render(request, "cases/danger.html")


@sensitive_post_parameters()
@never_cache
@role_required(*CASE_WRITERS)
@require_http_methods(["GET", "POST"])
def case_new(request):
    membership = active_membership(request)
    urgency = request.GET.get("tahap")
    if request.method == "GET" and urgency not in Urgency.values:
        return render(request, "cases/case_start.html")
    if request.POST.get("from_screener"):
        # Opened from the aid screener's answer: a new form, filled in from it.
        form = CaseForm(district=membership.district_id, initial=_from_screener(request.POST))
    else:
        form = CaseForm(
            posted(request),
            district=membership.district_id,
            initial={"urgency": urgency},
        )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            made = cases.case_create(
                actor=membership,
                client=cases.ClientDetails(
                    **{name: data[name] for name in CaseForm.CLIENT_FIELDS},
                ),
                consent=cases.ConsentDetails(
                    method=data["consent_method"],
                    purposes=data["consent_purposes"],
                    given_by=data["consent_given_by"],
                    relationship=data["consent_relationship"],
                ),
                category=data["category"],
                urgency=data["urgency"],
                situation=data["situation"],
                submission_key=data["submission_key"],
            )
        except Refusal as error:
            form.add_error(None, error.message)
        else:
            if made.created:
                messages.success(
                    request, _("Case %(reference)s recorded.") % {"reference": made.case.reference}
                )
            if made.possible_duplicate:
                messages.warning(
                    request,
                    _(
                        "A person with this MyKad number may already be recorded in this "
                        "district. Ask your district officer before referring them again."
                    ),
                )
            if made.created and data["refer_service"]:
                _refer_from_screener(request, membership, made.case, data["refer_service"])
            return redirect("cases:case", made.case.pk)
    return render(
        request,
        "cases/case_new.html",
        {
            "form": form,
            "client_fields": form.section(CaseForm.CLIENT_FIELDS),
            "consent_fields": form.section(CaseForm.CONSENT_FIELDS),
        },
    )


def _from_screener(post) -> dict:
    initial = {
        "urgency": Urgency.NORMAL,
        "category": Case.Category.FINANCIAL,
        "situation": post.get("situation", "")[:5000],
        "refer_service": post.get("refer_service", ""),
    }
    for name in ("age", "household_size"):
        # isdecimal, not isdigit: "²" is a digit that int() cannot read.
        if post.get(name, "").isdecimal() and len(post[name]) <= 3:
            initial[name] = int(post[name])
    return initial


def _refer_from_screener(request, membership, case, service_id) -> None:
    """The referral the screener's button promised: sent if the person agreed to share their
    details, else kept as a draft for the head to send once they agree."""
    common = {
        "actor": membership,
        "case_id": case.pk,
        "service_id": service_id,
        "mode": Referral.Mode.LIVE,
        "summary": case.situation,
    }
    try:
        referral = referrals.referral_create(**common, send=True)
    except Refusal:
        try:
            referral = referrals.referral_create(**common, send=False)
        except Refusal as error:
            # The office's service went away since the screener's answer: the case stays.
            messages.warning(request, error.message)
            return
        messages.warning(
            request,
            _(
                "Referral %(reference)s is saved as a draft: the person has not agreed to share "
                "their details with the welfare office."
            )
            % {"reference": referral.reference},
        )
    else:
        messages.success(
            request, _("Referral %(reference)s sent.") % {"reference": referral.reference}
        )


def _case_page(request, case, **forms):
    """The whole record of the person; every showing of it is audited."""
    membership = active_membership(request)
    cases.client_record_view(actor=membership, case=case)
    # The page names the target groups three times: read once.
    prefetch_related_objects([case.client], "target_groups")
    timeline = selectors.case_timeline(case)
    consent = case.client.consents.first()
    return render(
        request,
        "cases/case.html",
        {
            "case": case,
            "client": case.client,
            "mykad": mykad.mask(case.client.mykad),
            "consent": consent,
            "notes": case.notes.select_related("author__user"),
            "attachments": case.attachments.all(),
            "referrals": timeline,
            "note_form": forms.get("note_form") or NoteForm(),
            "attachment_form": forms.get("attachment_form") or AttachmentForm(),
            "is_head": membership.role == Role.CBO_HEAD,
            # A state officer reads the case; notes, documents and referrals are the CBO's
            # and the district officer's.
            "works": membership.role in CASE_ROLES,
            "may_close": membership.role in (Role.CBO_HEAD, Role.DISTRICT_OFFICER)
            and case.status == Case.Status.OPEN,
            "age": case.client.age_on(timezone.localdate()),
            "duplicates": selectors.possible_duplicates(membership, case),
        },
    )


@never_cache
@role_required(*CASE_READERS)
def case_detail(request, case_id):
    membership = active_membership(request)
    return _case_page(request, selectors.case_for(membership, case_id))


@sensitive_post_parameters()
@never_cache
@role_required(*CASE_ROLES)
@require_POST
def case_note(request, case_id):
    membership = active_membership(request)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            cases.case_note_add(
                actor=membership,
                case_id=case_id,
                text=form.cleaned_data["text"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except Refusal as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Note added."))
            return redirect("cases:case", case_id)
    return _case_page(request, selectors.case_for(membership, case_id), note_form=form)


@never_cache
@role_required(*CASE_ROLES)
@require_POST
def case_attach(request, case_id):
    membership = active_membership(request)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            cases.attachment_add(
                actor=membership, case_id=case_id, upload=form.cleaned_data["file"]
            )
        except Refusal as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("Document attached."))
            return redirect("cases:case", case_id)
    return _case_page(request, selectors.case_for(membership, case_id), attachment_form=form)


@never_cache
@role_required(*CASE_READERS)
def attachment(request, attachment_id):
    membership = active_membership(request)
    found = Attachment.objects.filter(
        pk=attachment_id, case__in=selectors.cases_visible_to(membership)
    )
    item = found.select_related("case__client").first()
    if item is None:
        raise Http404
    cases.client_record_view(actor=membership, case=item.case, what="attachment")
    extension = cases.ATTACHMENT_TYPES.get(item.content_type, "bin")
    return FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=f"{item.case.reference}-{item.pk.hex[:8]}.{extension}",
        content_type=item.content_type,
    )


@never_cache
@role_required(Role.CBO_HEAD, Role.DISTRICT_OFFICER)
@require_POST
def case_close(request, case_id):
    membership = active_membership(request)
    try:
        cases.case_close(actor=membership, case_id=case_id, version=_version(request))
    except Refusal as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Case closed."))
    return redirect("cases:case", case_id)


@never_cache
@role_required(Role.CBO_HEAD, reauthenticate=True)
def client_export(request, case_id):
    membership = active_membership(request)
    case = selectors.case_for(membership, case_id)
    data = cases.client_export(actor=membership, case_id=case.pk)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="santuni-{case.reference}.json"'
    return response


@never_cache
@role_required(Role.CBO_HEAD, Role.DISTRICT_OFFICER, reauthenticate=True)
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, case_id):
    membership = active_membership(request)
    case = selectors.case_for(membership, case_id)
    if request.method == "POST":
        try:
            cases.consent_withdraw(actor=membership, case_id=case.pk)
        except Refusal as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Consent withdrawn. The person's details are removed."))
        return redirect("cases:case", case.pk)
    return render(request, "cases/consent_withdraw.html", {"case": case})


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _service_choices(request, case, exclude=None) -> tuple[str, list[Service]]:
    """Services matching the words typed (in the case's district first), for a referral."""
    text = request.GET.get("q", "").strip()[:200]
    if not text:
        return text, []
    found = services_search(SearchQuery(text=text, district=case.district))
    results = [s for s in list(found[:12]) if s.pk != exclude and s.is_available]
    return text, results[:10]


@sensitive_post_parameters()
@never_cache
@role_required(Role.CBO_HEAD, Role.CBO_MEMBER, Role.DISTRICT_OFFICER)
@require_http_methods(["GET", "POST"])
def referral_new(request, case_id):
    membership = active_membership(request)
    case = selectors.case_for(membership, case_id)
    text, choices = _service_choices(request, case)
    rule = sharing.sharing_for(case)
    form = ReferralForm(posted(request), initial={"summary": case.situation})
    if not rule.overridable:
        # Asked only in immediate danger without consent (as the page shows it); else unread.
        del form.fields["consent_override"]
    chosen = None
    if request.method == "POST":
        valid = form.is_valid()
        service_id = form.cleaned_data.get("service")
        if service_id:
            chosen = Service.objects.select_related("organization").filter(pk=service_id).first()
        if valid:
            data = form.cleaned_data
            try:
                referral = referrals.referral_create(
                    actor=membership,
                    case_id=case.pk,
                    service_id=data["service"],
                    mode=data["mode"],
                    summary=data["summary"],
                    send="send" in request.POST,
                    consent_override=data.get("consent_override", ""),
                    submission_key=data["submission_key"],
                )
            except Refusal as error:
                form.add_error(None, error.message)
            else:
                if referral.status == Referral.Status.DRAFT:
                    messages.success(
                        request,
                        _("Referral %(reference)s saved as a draft.")
                        % {"reference": referral.reference},
                    )
                else:
                    messages.success(
                        request,
                        _("Referral %(reference)s sent.") % {"reference": referral.reference},
                    )
                return redirect("cases:case", case.pk)
    return render(
        request,
        "cases/referral_new.html",
        {
            "case": case,
            "form": form,
            "q": text,
            "choices": choices,
            "chosen": chosen,
            "shares": rule.consented,
            "may_send": membership.role != Role.CBO_MEMBER,
        },
    )


@never_cache
@role_required(*REFERRAL_ROLES)
def referral_list(request):
    membership = active_membership(request)
    form, filters = _filters(request, Referral.Status.choices)
    if request.GET.get("lewat") == "1":
        filters = ListFilter(filters.status, filters.urgency, filters.target_group, overdue=True)
    page = _page(request, selectors.referral_list(membership, filters))
    return render(
        request,
        "cases/referral_list.html",
        {
            "form": form,
            "page": page,
            "params": _params(request),
            "overdue": filters.overdue,
            "receiving": membership.role == Role.AGENCY_FOCAL_POINT,
            "now": timezone.now(),
        },
    )


@sensitive_post_parameters()
@never_cache
@role_required(*REFERRAL_ROLES)
@require_http_methods(["GET", "POST"])
def referral_detail(request, referral_id):
    membership = active_membership(request)
    referral = selectors.referral_for(membership, referral_id)
    failed = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in workflow.STEPS:
            raise Http404
        form = ReferralActionForm(request.POST, action=action)
        if form.is_valid():
            try:
                referrals.referral_step(
                    actor=membership,
                    referral_id=referral.pk,
                    step=action,
                    version=form.cleaned_data["version"],
                    **form.answers(),
                )
            except StaleVersion as error:
                messages.warning(request, error.message)
                return redirect("cases:referral", referral.pk)
            except Refusal as error:
                form.add_error(None, error.message)
            else:
                # (After a redirect too: the new referral may be one this person cannot see.)
                messages.success(request, str(form.step.done))
                return redirect("cases:referral", referral.pk)
        elif "version" in form.errors:
            # A damaged page: the latest is shown, as for a stale one.
            messages.warning(request, StaleVersion().message)
            return redirect("cases:referral", referral.pk)
        if action not in workflow.allowed_steps(membership, referral):
            # Refused, and the page no longer offers the step (nor its form): say why on top.
            if referral.status in workflow.STEPS[action].sources:
                raise PermissionDenied
            messages.warning(
                request,
                workflow.NO_LONGER_POSSIBLE % {"status": referral.get_status_display()},
            )
            return redirect("cases:referral", referral.pk)
        failed = form
    Notification.objects.filter(
        recipient=request.user, referral=referral, read_at__isnull=True
    ).update(read_at=timezone.now())
    cases.client_record_view(actor=membership, case=referral.case, what="referral")
    allowed = workflow.allowed_steps(membership, referral)
    forms = [
        failed
        if failed is not None and failed.action == action
        else ReferralActionForm(action=action, initial={"version": referral.version})
        for action in allowed
    ]
    text, choices = ("", [])
    redirects = any(form.asks_service for form in forms)
    if redirects:
        text, choices = _service_choices(request, referral.case, exclude=referral.service_id)
    client = referral.case.client
    consent = client.consents.filter(withdrawn_at__isnull=True).first()
    return render(
        request,
        "cases/referral.html",
        {
            "referral": referral,
            "case": referral.case,
            "client": client,
            "age": client.age_on(timezone.localdate()),
            "contact": bool(consent and consent.allows(Consent.Purpose.CONTACT))
            or bool(referral.consent_override),
            "events": selectors.referral_events(referral),
            "forms": forms,
            "q": text,
            "choices": choices,
            "sees_case": membership.role != Role.AGENCY_FOCAL_POINT,
            "sees_person": membership.role != Role.AGENCY_FOCAL_POINT or not referral.ended,
            "overdue": referral.overdue(),
            "active": referral.status in Referral.OPEN,
            "may_redirect": redirects,
        },
    )


@never_cache
@role_required(*OFFICERS)
def district_dashboard(request):
    """The district's referrals for its officer, the state's for a state officer."""
    membership = active_membership(request)
    counts = selectors.status_counts(membership)
    overdue = selectors.overdue_referrals(membership, 50)
    return render(
        request,
        "cases/dashboard.html",
        {
            "counts": [
                (label, counts.get(value, 0), value) for value, label in Referral.Status.choices
            ],
            "overdue": overdue,
            "now": timezone.now(),
            "state": membership.role == Role.STATE_OFFICER,
        },
    )


@never_cache
@role_required(*NOTIFIED)
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("cases:notifications")
    return render(
        request,
        "cases/notifications.html",
        {
            "items": [
                (item, notify.message(item.kind, item.referral.reference))
                for item in selectors.notifications_of(request.user)
            ]
        },
    )
