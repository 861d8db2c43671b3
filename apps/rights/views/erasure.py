"""Privacy pages: erasure of one member, and of a batch from a CSV of card numbers.

One member: the page shows what goes and what stays, says it cannot be undone, and asks
for the card typed again and the request's reference; the POST erases (apps.rights.erasure)
and redirects to the result, which shows the member's new pseudonymous number. The form
carries the member's id, so a repeated POST (a double click: the card in its URL is gone
by then) finds the member erased and shows the same result instead of acting again.

A batch: upload -> preview (kept as a job waiting for confirmation) -> confirm -> the job
erases in chunks; its page shows progress and counts.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.baskets.models import Basket, BasketLine
from apps.baskets.owners import owned_by
from apps.checkout.models import Redemption
from apps.jobs.display import job_outcome
from apps.jobs.models import Job, JobStatus
from apps.jobs.views import job_progress_response
from apps.lists.models import ShoppingList
from apps.members.models import Member, MemberStatus
from apps.members.trail import member_view_record
from apps.rewards.models import CertificateUse, PointsBalance, RebateCertificate
from apps.rights.erasure import erase_members
from apps.rights.erasure.batch import (
    KIND,
    BatchFileError,
    batch_confirm,
    batch_create,
    batch_preview,
)
from apps.rights.erasure_forms import EraseBatchForm, EraseForm
from apps.rights.models import Erasure, ErasureReason


def _kept_and_removed(member: Member) -> dict:
    """The counts the page shows: what the erasure removes, rewrites, and keeps."""
    today = timezone.localdate()
    mine = owned_by(member.pk)  # baskets and lines: one shard on a cluster
    balance = PointsBalance.objects.filter(member=member).values_list("points", flat=True)
    return {
        "lists": ShoppingList.objects.filter(member=member).count(),
        "baskets": Basket.objects.filter(**mine).count(),
        "lines": BasketLine.objects.filter(**mine).count(),
        "redemptions": Redemption.objects.filter(member=member).count(),
        "points": next(iter(balance), 0),
        "open_certificates": RebateCertificate.objects.filter(member=member, valid_until__gte=today)
        .exclude(
            pk__in=CertificateUse.objects.filter(member=member, reversed_at__isnull=True).values(
                "certificate_id"
            )
        )
        .count(),
        "consents": [
            label
            for field, label in (
                ("consent_list", gettext("printed or mailed list")),
                ("consent_email", gettext("e-mail")),
                ("consent_sms", gettext("SMS")),
            )
            if getattr(member, field)
        ],
    }


def _done(member_id: int) -> HttpResponse:
    erasure = get_object_or_404(Erasure, member_id=member_id)
    return redirect("privacy:erase_done", pk=erasure.pk)


@role_required(Role.PRIVACY)
def erase(request: HttpRequest, card_number: str) -> HttpResponse:
    """Erase one member, after the card is typed again and a reference given."""
    if request.method == "POST":
        member_id = request.POST.get("member", "")
        if member_id.isdigit():
            previous = Member.objects.filter(pk=int(member_id)).only("status").first()
            if previous is not None and previous.status == MemberStatus.ERASED:
                return _done(previous.pk)  # a repeated POST: erased already, show it
    member = Member.objects.filter(card_number=card_number).first()
    if member is None:
        raise Http404("No member has this card number.")
    if member.status == MemberStatus.ERASED:
        return _done(member.pk)
    form = EraseForm(
        request.POST if request.method == "POST" else None,
        expected_card=member.card_number,
        initial={"member": member.pk},
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["member"] != member.pk:
            form.add_error(None, gettext("The page was for another member; open it again."))
        else:
            erase_members(
                [member.pk],
                reason=ErasureReason.REQUEST,
                actor=request.user,
                reference=form.cleaned_data["reference"],
            )
            return _done(member.pk)
    if request.method != "POST":
        # The page shows the member's record: the viewing is in the trail, by member id
        # (as the privacy member page's), the card kept out of the path.
        member_view_record(
            request=request, member=member, detail={"page": "privacy erase page"}, query=""
        )
    return render(
        request,
        "privacy/erase.html",
        {"member": member, "form": form, "counts": _kept_and_removed(member)},
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.PRIVACY)
def erase_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The result of an erasure: when, why, by whom, and the member's pseudonymous number."""
    erasure = get_object_or_404(Erasure.objects.select_related("member"), pk=pk)
    return render(request, "privacy/erase_done.html", {"erasure": erasure})


@role_required(Role.PRIVACY)
def erase_batch(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of card numbers; a readable file becomes a preview to confirm."""
    form = EraseBatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            preview = batch_preview(upload.read())
        except BatchFileError as error:
            form.add_error("file", str(error))
        else:
            job = batch_create(
                preview=preview,
                file_name=upload.name,
                reference=form.cleaned_data["reference"],
                user=request.user,
            )
            return redirect("privacy:erase_batch_preview", pk=job.pk)
    batches = Job.objects.filter(kind=KIND).select_related("started_by")[:20]
    return render(
        request,
        "privacy/erase_batch.html",
        {"form": form, "batches": batches},
        status=400 if request.method == "POST" else 200,
    )


def _batch(pk: int) -> Job:
    return get_object_or_404(Job.objects.select_related("started_by"), pk=pk, kind=KIND)


@role_required(Role.PRIVACY)
def erase_batch_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch before it runs: found, not found by line, erased already; confirm runs it."""
    job = _batch(pk)
    if request.method == "POST":
        if job.params.get("member_ids"):
            batch_confirm(job_id=job.pk)  # a second confirmation queues nothing
        return redirect("privacy:erase_batch_job", pk=job.pk)
    if job.params.get("confirmed") or job.status != JobStatus.QUEUED:
        return redirect("privacy:erase_batch_job", pk=job.pk)
    return render(request, "privacy/erase_batch_preview.html", {"job": job, "p": job.params})


@role_required(Role.PRIVACY)
def erase_batch_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmed batch's progress and counts."""
    job = _batch(pk)
    return render(
        request,
        "privacy/erase_batch_job.html",
        {
            "job": job,
            "p": job.params,
            "outcome": job_outcome(job),
            "message": job.message_shown,
            "erased": job.result.get("erased"),
            "skipped": job.result.get("already_erased", 0),
        },
    )


@role_required(Role.PRIVACY)
def erase_batch_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """The batch's progress for static/js/job-progress.js (the jobs' own is marketing's)."""
    return job_progress_response(_batch(pk))


urlpatterns = [
    path("erase/batch/", erase_batch, name="erase_batch"),
    path("erase/batch/<int:pk>/", erase_batch_preview, name="erase_batch_preview"),
    path("erase/batch/<int:pk>/job/", erase_batch_job, name="erase_batch_job"),
    path("erase/batch/<int:pk>/progress/", erase_batch_progress, name="erase_batch_progress"),
    path("erase/done/<int:pk>/", erase_done, name="erase_done"),
    path("erase/<str:card_number>/", erase, name="erase"),
]
