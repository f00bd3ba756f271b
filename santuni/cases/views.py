"""Pages for cases and referrals: record, refer, answer, follow up. Thin: each parses a form,
calls one domain function and renders. Personal data is only ever in request bodies and
pages, never in an address, and pages holding it are not cached."""

import json
import uuid
from dataclasses import dataclass

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
from santuni.geo.models import District
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
from .selectors import (
    CASE_READERS,
    CASE_ROLES,
    OFFICERS,
    REFERRAL_ROLES,
    ListFilter,
    ServiceChoice,
)
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
    if request.POST.get("confirmed") != "1":
        # Closing cannot be undone: asked once more, nothing done until then.
        case = selectors.case_for(membership, case_id)
        return render(
            request, "cases/case_close.html", {"case": case, "version": _version(request)}
        )
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


@dataclass(frozen=True)
class Picker:
    """The service picker of a form: the words typed, the services they found and the one
    already chosen, each by name, organisation and district (an id is never shown)."""

    key: str
    q: str
    choices: list[ServiceChoice]
    chosen: ServiceChoice | None


def _picker(request, key: str, district: District, exclude=None) -> Picker:
    """Searches as the person types (htmx posts the form with `find`), or on the Find button
    without JavaScript; the form's own POST keeps the words and the choice."""
    data = request.POST if request.method == "POST" else request.GET
    text = data.get("q", "").strip()[:200]
    chosen = None
    try:
        service_id = uuid.UUID(data.get("service", ""))
    except ValueError:
        pass
    else:
        chosen = selectors.service_choice(service_id, district=district, exclude=exclude)
    choices = selectors.service_choices(text, district=district, exclude=exclude)
    return Picker(key, text, choices, chosen)


def _finding(request) -> bool:
    """The picker's search, not the form's step: nothing is done, the form comes back."""
    return request.method == "POST" and "find" in request.POST


def _picker_only(request) -> bool:
    """An htmx search from the picker: only its list of services is sent back."""
    return _finding(request) and request.headers.get("HX-Request") == "true"


@sensitive_post_parameters()
@never_cache
@role_required(Role.CBO_HEAD, Role.CBO_MEMBER, Role.DISTRICT_OFFICER)
@require_http_methods(["GET", "POST"])
def referral_new(request, case_id):
    membership = active_membership(request)
    case = selectors.case_for(membership, case_id)
    picker = _picker(request, "referral", case.district)
    if _picker_only(request):
        return render(request, "cases/_service_choices.html", {"picker": picker})
    rule = sharing.sharing_for(case)
    finding = _finding(request)
    if finding:
        # The search before the choice: the form as typed, not yet checked.
        form = ReferralForm(initial={"summary": case.situation, **request.POST.dict()})
    else:
        form = ReferralForm(posted(request), initial={"summary": case.situation})
    if not rule.overridable:
        # Asked only in immediate danger without consent (as the page shows it); else unread.
        del form.fields["consent_override"]
    if form.is_bound and form.is_valid():
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
            "picker": picker,
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
    shown = None  # the form posted, shown again (with its errors, or as typed before a search)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in workflow.STEPS:
            raise Http404
        if _finding(request):
            return _referral_search(request, membership, referral, action)
        form = ReferralActionForm(request.POST, action=action)
        if form.is_valid():
            confirmed = request.POST.get("confirmed") == "1"
            if form.confirms and not confirmed and workflow.may(membership, referral, action):
                return _referral_confirm(request, referral, form)
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
        refused = _step_refused(request, membership, referral, action)
        if refused is not None:
            return refused
        shown = form
    return _referral_page(request, membership, referral, shown)


def _step_refused(request, membership, referral, action):
    """Refused, and the page no longer offers the step (nor its form): say why on top."""
    if action in workflow.allowed_steps(membership, referral):
        return None
    if referral.status in workflow.STEPS[action].sources:
        raise PermissionDenied
    messages.warning(
        request, workflow.NO_LONGER_POSSIBLE % {"status": referral.get_status_display()}
    )
    return redirect("cases:referral", referral.pk)


def _referral_search(request, membership, referral, action):
    """The service picker's search on a step's form: the services found (to htmx), or the page
    with the form as typed and the services to choose from (without JavaScript)."""
    picker = _picker(request, action, referral.case.district, exclude=referral.service_id)
    if _picker_only(request):
        return render(request, "cases/_service_choices.html", {"picker": picker})
    refused = _step_refused(request, membership, referral, action)
    if refused is not None:
        return refused
    typed = ReferralActionForm(action=action)
    typed.initial = {name: request.POST.get(name) for name in typed.fields if name in request.POST}
    typed.initial.pop("service", None)  # the picker shows the choice
    return _referral_page(request, membership, referral, typed, picker=picker)


def _referral_confirm(request, referral, form):
    """The second question before a step that cannot be taken back; its button posts the
    same answers again, confirmed. Nothing is done until then."""
    answers = []
    for ask in form.step.asks:
        value = form.cleaned_data.get(ask.name)
        if isinstance(ask, workflow.OnwardService):
            choice = selectors.service_choice(value, district=referral.case.district)
            if choice is not None:
                where = f" · {choice.where}" if choice.where else ""
                shown = f"{choice.service.tr.name} · {choice.service.organization.tr.name}{where}"
                answers.append((ask.formfield().label, shown))
        elif isinstance(ask, workflow.Code) and value:
            answers.append((ask.label, dict(ask.choices.choices).get(value, value)))
        elif isinstance(ask, workflow.Note) and value:
            answers.append((ask.label, value))
    return render(
        request,
        "cases/referral_confirm.html",
        {"referral": referral, "form": form, "step": form.step, "answers": answers},
    )


def _referral_page(request, membership, referral, shown=None, picker=None):
    Notification.objects.filter(
        recipient=request.user, referral=referral, read_at__isnull=True
    ).update(read_at=timezone.now())
    cases.client_record_view(actor=membership, case=referral.case, what="referral")
    allowed = workflow.allowed_steps(membership, referral)
    leading = workflow.leading_step(referral.status, allowed)
    forms = [
        shown
        if shown is not None and shown.action == action
        else ReferralActionForm(action=action, initial={"version": referral.version})
        for action in sorted(allowed, key=lambda name: name != leading)
    ]
    redirects = next((form for form in forms if form.asks_service), None)
    if redirects is not None and picker is None:
        picker = _picker(
            request, redirects.action, referral.case.district, exclude=referral.service_id
        )
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
            "leading": leading,
            "open": shown.action if shown is not None else "",
            "picker": picker,
            "sees_case": membership.role != Role.AGENCY_FOCAL_POINT,
            "sees_person": membership.role != Role.AGENCY_FOCAL_POINT or not referral.ended,
            "overdue": referral.overdue(),
            "active": referral.status in Referral.OPEN,
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
