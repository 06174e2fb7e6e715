"""The pages of foreign-affairs activities: thin views over the services and selectors.

Reads go through `selectors.visible_activities` (the dossier's policy): an activity a
user may not see answers 404 on every route, exactly like one that does not exist.
Every change is a service call; what a service refuses is shown on the field it names.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from phoihop.accounts.choices import AgencyKind
from phoihop.accounts.models import Unit
from phoihop.activities import selectors, services
from phoihop.activities.choices import ActivityKind, ActivityStatus, VettingResult
from phoihop.activities.forms import (
    OPEN_STATUSES,
    ActivityEditForm,
    ActivityFilterForm,
    ActivityForm,
    AssessmentForm,
    BriefingForm,
    CancelForm,
    CloseForm,
    IncidentLinkForm,
    IncidentOpenForm,
    ItineraryForm,
    MeasureFormSet,
    MemberForm,
    MemberVettingForm,
    NotifyForm,
    OpinionForm,
    PersonSearchForm,
    itinerary_lines,
)
from phoihop.activities.models import Activity, ActivityMember
from phoihop.core import policy
from phoihop.core.exceptions import ServiceError
from phoihop.core.forms import add_service_errors
from phoihop.core.pagination import CappedPaginator
from phoihop.core.text import fold
from phoihop.core.views import AllowedUsersMixin
from phoihop.dossiers.models import Dossier, DossierParty, Message, Task
from phoihop.subjects.models import IdentityDocument, Subject

PAGE_SIZE = 50
PERSON_RESULTS = 20
SORTS = {
    "starts": ("starts_on", "id"),
    "-starts": ("-starts_on", "-id"),
    "title": ("dossier__title", "id"),
    "-title": ("-dossier__title", "-id"),
    "reference": ("dossier__reference",),
    "-reference": ("-dossier__reference",),
    "status": ("status", "-starts_on", "-id"),
    "-status": ("-status", "-starts_on", "-id"),
}
DEFAULT_SORT = "-starts"


class CaseworkMixin(AllowedUsersMixin):
    """Activities are casework: oversight and administrators reach none (404)."""

    def allowed(self, user) -> bool:
        return user.does_casework


class _Gate(CaseworkMixin):
    """A page of one side's work: the other side, who may see the activity, gets 404 as
    the service would answer them."""

    def may(self, user, activity) -> bool:
        raise NotImplementedError

    def activity(self, request, pk) -> Activity:
        activity = _activity_or_404(request, pk)
        if not self.may(request.user, activity):
            raise policy.NotFound
        return activity


class LeadPage(_Gate):
    """Registration, itinerary, members: the lead agency's (Department of Foreign Affairs)."""

    def may(self, user, activity) -> bool:
        return selectors.may_lead(user, activity)


class VettingPage(_Gate):
    """The security assessment and plan: the vetting agency's (the Police)."""

    def may(self, user, activity) -> bool:
        return selectors.may_vet(user, activity)


def _visible(request):
    return selectors.visible_activities(request.user)


def _activity_or_404(request, pk) -> Activity:
    try:
        return (
            _visible(request)
            .select_related(
                "dossier__lead_agency",
                "dossier__counterpart",
                "dossier__clause__article",
                "host_unit__agency",
                "vetting_task__agency",
                "vetting_task__unit",
                "opinion_message",
            )
            .get(pk=pk)
        )
    except (Activity.DoesNotExist, ValueError, TypeError) as exc:
        raise policy.NotFound from exc


def _member_or_404(request, pk) -> ActivityMember:
    try:
        return ActivityMember.objects.select_related("activity__dossier", "subject").get(
            pk=pk, activity__in=_visible(request)
        )
    except (ActivityMember.DoesNotExist, ValueError, TypeError) as exc:
        raise policy.NotFound from exc


def _detail_url(activity, anchor: str = "") -> str:
    url = reverse("activities:detail", args=[activity.pk])
    return f"{url}#{anchor}" if anchor else url


# --- list -------------------------------------------------------------------------------------


def filter_activities(queryset, data: dict):
    """Apply the cleaned data of an ActivityFilterForm, in the query."""
    for word in fold(data.get("q")).split()[:8]:
        queryset = queryset.filter(dossier__search_text__contains=word)
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    status = data.get("status")
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if data.get("agency"):
        queryset = queryset.filter(
            Exists(
                DossierParty.objects.filter(
                    dossier_id=OuterRef("dossier_id"), agency=data["agency"]
                )
            )
        )
    # An activity in the range has at least one of its days in it.
    if data.get("date_from"):
        queryset = queryset.filter(ends_on__gte=data["date_from"])
    if data.get("date_to"):
        queryset = queryset.filter(starts_on__lte=data["date_to"])
    return queryset


class ActivityListView(CaseworkMixin, View):
    def get(self, request):
        form = ActivityFilterForm(request.GET or None)
        queryset = _visible(request)
        if form.is_bound:
            # A filter value the form refuses selects nothing rather than everything.
            queryset = (
                filter_activities(queryset, form.cleaned_data)
                if form.is_valid()
                else queryset.none()
            )
        sort = request.GET.get("sort")
        sort = sort if sort in SORTS else DEFAULT_SORT
        queryset = queryset.order_by(*SORTS[sort]).select_related(
            "dossier__lead_agency", "host_unit__agency"
        )
        page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        template = "activities/_rows.html" if request.htmx else "activities/list.html"
        return render(
            request,
            template,
            {
                "form": form,
                "page_obj": page,
                "sort": sort,
                "count": page.paginator.count,
                "count_capped": page.paginator.capped,
            },
        )


# --- registering and editing --------------------------------------------------------------


class ActivityCreateView(CaseworkMixin, View):
    def get(self, request):
        form = ActivityForm(user=request.user)
        return render(request, "activities/form.html", {"form": form, "creating": True})

    def post(self, request):
        form = ActivityForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                activity = services.activity_register(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã đăng ký hoạt động, hồ sơ %(ref)s.") % {"ref": activity.dossier.reference},
                )
                return redirect(_detail_url(activity))
        return render(request, "activities/form.html", {"form": form, "creating": True}, status=400)


EDIT_FIELDS = ("kind", "title", "purpose", "host_unit", "host_name", "country")


class ActivityEditView(LeadPage, View):
    def get(self, request, pk):
        activity = self.activity(request, pk)
        initial = {
            "kind": activity.kind,
            "title": activity.dossier.title,
            "purpose": activity.purpose,
            "host_unit": activity.host_unit_id,
            "host_name": activity.host_name,
            "country": activity.country,
            "starts_on": activity.starts_on,
            "ends_on": activity.ends_on,
        }
        form = ActivityEditForm(initial=initial)
        return render(request, "activities/form.html", {"form": form, "activity": activity})

    def post(self, request, pk):
        activity = self.activity(request, pk)
        form = ActivityEditForm(request.POST)
        if form.is_valid():
            try:
                services.activity_update(actor=request.user, activity=activity, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect(_detail_url(activity))
        activity.refresh_from_db()
        return render(
            request, "activities/form.html", {"form": form, "activity": activity}, status=400
        )


class ItineraryView(LeadPage, View):
    def get(self, request, pk):
        activity = self.activity(request, pk)
        form = ItineraryForm(
            activity=activity, initial={"lines": itinerary_lines(activity.itinerary.all())}
        )
        return render(request, "activities/itinerary.html", {"form": form, "activity": activity})

    def post(self, request, pk):
        activity = self.activity(request, pk)
        form = ItineraryForm(request.POST, activity=activity)
        if form.is_valid():
            try:
                services.itinerary_set(
                    actor=request.user, activity=activity, days=form.cleaned_data["lines"]
                )
            except ServiceError as exc:
                # Whatever the service names (a day, a date, the status), it is about
                # these lines: show it on them.
                for field, errors in exc.message_dict.items():
                    target = None if field in ("status", "non_field_errors") else "lines"
                    for error in errors:
                        form.add_error(target, error)
            else:
                messages.success(request, _("Đã lưu lịch trình."))
                return redirect(_detail_url(activity, "itinerary"))
        return render(
            request,
            "activities/itinerary.html",
            {"form": form, "activity": activity},
            status=400,
        )


# --- members ------------------------------------------------------------------------------


def _search_persons(request, q: str):
    queryset = policy.restrict(Subject.objects.filter(merged_into__isnull=True), request.user)
    words = fold(q).split()[:8]
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset.order_by("full_name", "id")[:PERSON_RESULTS]


def _documents(request, subject):
    return policy.restrict(IdentityDocument.objects.all(), request.user).filter(subject=subject)


class MemberAddView(LeadPage, View):
    """Pick a person of the registry (search), then their role and passport."""

    template_name = "activities/member_add.html"

    def _subject(self, request):
        pk = request.POST.get("subject") or request.GET.get("subject")
        if not pk:
            return None
        return policy.get_or_404(
            Subject.objects.filter(merged_into__isnull=True), request.user, pk=pk
        )

    def _context(self, request, activity, subject, form=None):
        search = PersonSearchForm(request.GET or None)
        q = search.cleaned_data["q"] if search.is_bound and search.is_valid() else ""
        ctx = {
            "activity": activity,
            "search": search,
            "q": q,
            "results": list(_search_persons(request, q)) if q else None,
            "subject": subject,
            "members": set(activity.members.values_list("subject_id", flat=True)),
        }
        if subject is not None:
            documents = _documents(request, subject)
            ctx["form"] = form or MemberForm(
                documents=documents,
                initial={
                    "foreign": subject.nationality != "VN",
                    "document": documents.first(),
                },
            )
        return ctx

    def get(self, request, pk):
        activity = self.activity(request, pk)
        subject = self._subject(request)
        return render(request, self.template_name, self._context(request, activity, subject))

    def post(self, request, pk):
        activity = self.activity(request, pk)
        subject = self._subject(request)
        if subject is None:
            raise policy.NotFound
        form = MemberForm(request.POST, documents=_documents(request, subject))
        if form.is_valid():
            try:
                services.member_add(
                    actor=request.user, activity=activity, subject=subject, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã thêm %(name)s vào đoàn.") % {"name": subject.full_name}
                )
                return redirect(_detail_url(activity, "members"))
        return render(
            request,
            self.template_name,
            self._context(request, activity, subject, form),
            status=400,
        )


class MemberRemoveView(LoginRequiredMixin, View):
    def post(self, request, pk):
        member = _member_or_404(request, pk)
        activity = member.activity
        try:
            services.member_remove(actor=request.user, member=member)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Đã bỏ %(name)s khỏi đoàn.") % {"name": member.subject.full_name}
            )
        return redirect(_detail_url(activity, "members"))


# --- the detail page and its actions ------------------------------------------------------


def _units_of_parties(dossier):
    return (
        Unit.objects.filter(
            agency__kind=AgencyKind.DOMESTIC, agency__dossier_parties__dossier=dossier
        )
        .select_related("agency")
        .order_by("agency__short_name", "name")
    )


def detail_context(request, activity, **forms) -> dict:
    """Everything the detail page shows, and the forms of the actions the user may take."""
    user = request.user
    dossier = activity.dossier
    may_vet = selectors.may_vet(user, activity)
    is_host = selectors.may_lead(user, activity)
    may_work = is_host or may_vet
    is_open = activity.status in OPEN_STATUSES
    # The Police works once notified; until the activity closes.
    vetting_open = may_vet and is_open and activity.status != ActivityStatus.REGISTERED
    member_forms = forms.pop("member_forms", {})
    rows = []
    for member, label, reasons in selectors.members_for(user, activity):
        rows.append(
            {
                "member": member,
                "label": label,
                "reasons": reasons,
                "vetting_form": member_forms.get(member.pk)
                or (
                    MemberVettingForm(
                        prefix=f"m{member.pk}",
                        initial={"result": member.vetting}
                        if member.vetting != VettingResult.PENDING
                        else None,
                    )
                    if vetting_open
                    else None
                ),
            }
        )
    ctx = {
        "activity": activity,
        "dossier": dossier,
        "may_work": may_work,
        "may_vet": may_vet,
        "is_host": is_host,
        "is_open": is_open,
        "vetting_open": vetting_open,
        "is_outgoing": activity.kind == ActivityKind.OUTGOING,
        "parties": DossierParty.objects.filter(dossier=dossier).select_related("agency"),
        "itinerary": activity.itinerary.all(),
        "members": rows,
        "measures": activity.measures.select_related("unit__agency"),
        "opinion_message": policy.restrict(Message.objects.all(), user)
        .filter(pk=activity.opinion_message_id)
        .first()
        if activity.opinion_message_id
        else None,
        "vetting_task": policy.restrict(Task.objects.all(), user)
        .filter(pk=activity.vetting_task_id)
        .select_related("agency", "unit")
        .first()
        if activity.vetting_task_id
        else None,
        # Only the incidents this user may see: the others are not named, nor counted.
        "incidents": policy.restrict(Dossier.objects.all(), user)
        .filter(during_activities=activity)
        .select_related("category")
        .order_by("opened_on", "id"),
    }
    if not is_open:
        return ctx
    if is_host and activity.status == ActivityStatus.REGISTERED:
        ctx["notify_form"] = forms.get("notify_form") or NotifyForm(dossier=dossier)
    if vetting_open and activity.status == ActivityStatus.VETTING:
        ctx["opinion_form"] = forms.get("opinion_form") or OpinionForm(
            initial={"opinion": activity.opinion or None}
        )
    if is_host and ctx["is_outgoing"]:
        ctx["briefing_form"] = forms.get("briefing_form") or BriefingForm(
            initial={
                "on": activity.briefing_on,
                "by": activity.briefing_by,
                "note": activity.briefing_note,
            }
        )
    if may_work:
        ctx["incident_link_form"] = forms.get("incident_link_form") or IncidentLinkForm()
        ctx["incident_open_form"] = forms.get("incident_open_form") or IncidentOpenForm()
    if is_host and activity.status != ActivityStatus.REGISTERED:
        ctx["close_form"] = forms.get("close_form") or CloseForm()
    if is_host:
        ctx["cancel_form"] = forms.get("cancel_form") or CancelForm()
    return ctx


class ActivityDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        activity = _activity_or_404(request, pk)
        return render(request, "activities/detail.html", detail_context(request, activity))


class _ActionView(LoginRequiredMixin, View):
    """A POST-only action of the detail page; a refusal re-renders the page with the form."""

    form_name = ""
    anchor = ""

    def get_form(self, request, activity):
        raise NotImplementedError

    def perform(self, request, activity, data):
        raise NotImplementedError

    def post(self, request, pk):
        activity = _activity_or_404(request, pk)
        form = self.get_form(request, activity)
        if form.is_valid():
            try:
                self.perform(request, activity, form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                return redirect(_detail_url(activity, self.anchor))
        activity = _activity_or_404(request, pk)
        ctx = detail_context(request, activity, **{self.form_name: form})
        ctx["failed_form"] = self.form_name
        return render(request, "activities/detail.html", ctx, status=400)


class NotifyView(_ActionView):
    form_name = "notify_form"
    anchor = "members"

    def get_form(self, request, activity):
        return NotifyForm(request.POST, dossier=activity.dossier)

    def perform(self, request, activity, data):
        services.activity_notify(actor=request.user, activity=activity, police=data["police"])
        messages.success(request, _("Đã thông báo cho cơ quan Công an để thẩm tra."))


class VettingRunView(LoginRequiredMixin, View):
    """Check every member against the registry (the vetting officers' action)."""

    def post(self, request, pk):
        activity = _activity_or_404(request, pk)
        try:
            checked = services.vetting_check(actor=request.user, activity=activity)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            attention = sum(1 for m in checked if m.vetting == VettingResult.ATTENTION)
            messages.success(
                request,
                _("Đã đối chiếu %(n)d thành viên với danh bạ đối tượng; %(a)d người cần lưu ý.")
                % {"n": len(checked), "a": attention},
            )
        return redirect(_detail_url(activity, "members"))


class MemberVettingView(LoginRequiredMixin, View):
    def post(self, request, pk):
        member = _member_or_404(request, pk)
        form = MemberVettingForm(request.POST, prefix=f"m{member.pk}")
        if form.is_valid():
            try:
                services.member_vetting_set(
                    actor=request.user,
                    member=member,
                    result=form.cleaned_data["result"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Đã ghi kết quả thẩm tra của %(name)s.") % {"name": member.subject.full_name},
                )
                return redirect(_detail_url(member.activity, "members"))
        activity = _activity_or_404(request, member.activity_id)
        ctx = detail_context(request, activity, member_forms={member.pk: form})
        ctx["failed_form"] = f"member_vetting_{member.pk}"
        return render(request, "activities/detail.html", ctx, status=400)


class OpinionView(_ActionView):
    form_name = "opinion_form"
    anchor = "opinion"

    def get_form(self, request, activity):
        return OpinionForm(request.POST)

    def perform(self, request, activity, data):
        activity = services.opinion_send(actor=request.user, activity=activity, **data)
        messages.success(
            request, _("Đã gửi ý kiến bằng công văn %(n)s.") % {"n": data["number_symbol"]}
        )
        if activity.opinion_late:
            messages.warning(
                request, _("Ý kiến gửi khi hoạt động đã bắt đầu: được ghi nhận là gửi muộn.")
            )


class BriefingView(_ActionView):
    form_name = "briefing_form"
    anchor = "briefing"

    def get_form(self, request, activity):
        return BriefingForm(request.POST)

    def perform(self, request, activity, data):
        services.briefing_record(actor=request.user, activity=activity, **data)
        messages.success(request, _("Đã ghi nhận việc phổ biến bảo vệ bí mật nhà nước."))


class IncidentLinkView(_ActionView):
    form_name = "incident_link_form"
    anchor = "incidents"

    def get_form(self, request, activity):
        return IncidentLinkForm(request.POST)

    def perform(self, request, activity, data):
        # A dossier the user may not see is "not found", like one that does not exist.
        dossier = (
            policy.restrict(Dossier.objects.all(), request.user)
            .filter(reference=data["dossier"])
            .first()
        )
        if dossier is None:
            raise ServiceError({"dossier": _("Không tìm thấy hồ sơ có số này.")})
        services.incident_link(actor=request.user, activity=activity, dossier=dossier)
        messages.success(
            request, _("Đã gắn hồ sơ %(ref)s vào hoạt động.") % {"ref": dossier.reference}
        )


class IncidentOpenView(_ActionView):
    form_name = "incident_open_form"
    anchor = "incidents"

    def get_form(self, request, activity):
        return IncidentOpenForm(request.POST)

    def perform(self, request, activity, data):
        dossier = services.incident_open(actor=request.user, activity=activity, **data)
        messages.success(request, _("Đã mở hồ sơ vụ việc %(ref)s.") % {"ref": dossier.reference})


class CloseView(_ActionView):
    form_name = "close_form"
    anchor = "report"

    def get_form(self, request, activity):
        return CloseForm(request.POST)

    def perform(self, request, activity, data):
        services.activity_close(actor=request.user, activity=activity, **data)
        messages.success(request, _("Đã kết thúc hoạt động với báo cáo kết quả."))


class CancelView(_ActionView):
    form_name = "cancel_form"
    anchor = ""

    def get_form(self, request, activity):
        return CancelForm(request.POST)

    def perform(self, request, activity, data):
        services.activity_cancel(actor=request.user, activity=activity, reason=data["reason"])
        messages.success(request, _("Đã hủy hoạt động."))


# --- the security assessment and plan -----------------------------------------------------


class AssessmentView(VettingPage, View):
    """Risk level, assessment and the measures with their units (the Police's side)."""

    template_name = "activities/assessment.html"

    def get(self, request, pk):
        activity = self.activity(request, pk)
        form = AssessmentForm(
            initial={"risk_level": activity.risk_level, "assessment": activity.assessment}
        )
        formset = MeasureFormSet(
            prefix="measures",
            initial=[
                {"kind": m.kind, "unit": m.unit_id, "day": m.day, "description": m.description}
                for m in activity.measures.all()
            ],
            form_kwargs={"units": _units_of_parties(activity.dossier), "activity": activity},
        )
        return render(
            request,
            self.template_name,
            {"activity": activity, "form": form, "formset": formset},
        )

    def post(self, request, pk):
        activity = self.activity(request, pk)
        form = AssessmentForm(request.POST)
        formset = MeasureFormSet(
            request.POST,
            prefix="measures",
            form_kwargs={"units": _units_of_parties(activity.dossier), "activity": activity},
        )
        if form.is_valid() and formset.is_valid():
            measures = [
                {
                    "kind": f.cleaned_data["kind"],
                    "unit": f.cleaned_data["unit"],
                    "day": f.cleaned_data["day"],
                    "description": f.cleaned_data["description"],
                }
                for f in formset.forms
                if f.cleaned_data and not f.is_blank
            ]
            try:
                services.assessment_save(
                    actor=request.user,
                    activity=activity,
                    risk_level=form.cleaned_data["risk_level"],
                    assessment=form.cleaned_data["assessment"],
                    measures=measures,
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu đánh giá an ninh và phương án bảo vệ."))
                return redirect(_detail_url(activity, "assessment"))
        return render(
            request,
            self.template_name,
            {"activity": activity, "form": form, "formset": formset},
            status=400,
        )
