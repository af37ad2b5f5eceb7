"""The intake's HTTP service (Starlette): tokens, submissions, receipts and the no-JS pages.

It only validates, stores and answers; the worker does the slow part. So a submission is
durably queued before the 202 goes out, however slow the forge is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ..council import Council
from ..ids import ID_RE, RandomSource, new_id, random_suffix
from . import messages
from .abuse import (
    RateLimit,
    Throttle,
    client_key,
    honeypot_filled,
    load_pepper,
    pepper_beside,
)
from .formdata import MAX_BODY, FormData, TooLarge, TooSlow, parse_form, read_body
from .groupcommit import GroupCommitter
from .http_limits import ConnectionLimits
from .pages import CONTENT_SECURITY_POLICY, form_page, receipt_page
from .photo_work import Busy, PhotoWork
from .photos import Upload
from .photos import check as check_photos
from .rating_pages import RATING_ROUTES, RatingPages
from .ratings import Ratings
from .store import Admission, Admitted, Entry, QueueStatus, Store, StoreError
from .submission import Invalid, parse_submission
from .tokens import FormTokens, TokenPolicy, TokenRefused
from .tracking import RECEIPT_LOOKUP_ROUTE, ReceiptLookup, loggable_path, tracking_answer

log = logging.getLogger("yishi.intake.service")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, timezone-aware."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceSettings:
    """How the service behaves; the defaults are the documented ones."""

    min_fill_seconds: float = 3.0
    #: Submissions one form token admits (more only for load tests with fixed bodies).
    token_uses: int = 1
    rate_limit: RateLimit = field(default_factory=RateLimit)
    #: Receipt and status lookups allowed per client.
    lookup_limit: RateLimit = field(default_factory=lambda: RateLimit(60, 60))
    #: Origin allowed to post from scripts (CORS); by default the site's (``site_url``).
    allow_origin: str | None = None
    #: Secret mixed into client hashes, kept out of the store; None: the file beside the
    #: store (``<db>.pepper``, created on first start).
    client_pepper: str | None = None
    #: Base URL residents reach the service at (redirects, ``receipt_url``, form actions);
    #: None: taken from the request's Host header, fit for local use only.
    public_url: str | None = None
    max_body: int = MAX_BODY
    #: Connection limits; the service itself times the body against them.
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)
    #: Base URL of the public site, for links to published issues.
    site_url: str | None = None


def public_url(settings: ServiceSettings, entry: Entry) -> str | None:
    """The issue's page on the site, once it is published and the site is known."""
    if entry.status is not QueueStatus.PUBLISHED or not settings.site_url:
        return None
    return f"{settings.site_url.rstrip('/')}/issues/{entry.id}/"


def allowed_origins(settings: ServiceSettings) -> list[str]:
    """The origins CORS allows: the configured one, else the site's, else none."""
    if settings.allow_origin:
        return [settings.allow_origin]
    if settings.site_url:
        parts = urlsplit(settings.site_url)
        return [f"{parts.scheme}://{parts.netloc}"]
    return []


def wants_json(request: Request) -> bool:
    """Whether the client is a script (JSON answers) rather than a browser (HTML pages)."""
    return "application/json" in request.headers.get("accept", "")


def html(text: str, status_code: int = 200) -> HTMLResponse:
    """A page of the service: under its content security policy, never cached."""
    return HTMLResponse(text, status_code, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"})


@dataclass
class Intake:
    """What the endpoints share, kept on ``app.state.intake`` so that they can be plain
    module-level functions rather than closures in :func:`create_app`."""

    store: Store
    council: Council
    settings: ServiceSettings
    clock: Clock
    suffix: RandomSource
    tokens: FormTokens
    #: Secret mixed into client hashes.
    pepper: str
    lookups: Throttle
    writer: GroupCommitter
    photos: PhotoWork

    def url_for(self, request: Request, name: str, **params: str) -> str:
        """An absolute URL of the service: from ``public_url`` when it is configured, so a
        forged Host header can choose no redirect or receipt link."""
        if self.settings.public_url:
            path = str(request.app.url_path_for(name, **params))
            return self.settings.public_url.rstrip("/") + path
        return str(request.url_for(name, **params))

    def today(self) -> date:
        """Today in the council's time zone: ids carry that date."""
        return self.council.today(self.clock())

    def client(self, request: Request) -> str:
        """The requesting client's key for rate limits (a peppered hash, never the address)."""
        return client_key(self.pepper, request.client.host if request.client else "")

    def refused(self, request: Request, status_code: int, errors: dict[str, str],
                values: dict[str, str], headers: dict[str, str] | None = None) -> Response:
        """The errors as JSON for a script; for a browser the form again, filled in as sent."""
        if wants_json(request):
            return JSONResponse({"errors": errors}, status_code, headers=headers)
        shown = {k: v for k, v in values.items() if k not in {"token", "website"}}
        page = form_page(self.council, action=self.url_for(request, "submissions"),
                         token=self.tokens.issue(), values=shown, errors=errors)
        response = html(page, status_code)
        response.headers.update(headers or {})
        return response

    def too_many_lookups(self, request: Request) -> Response | None:
        """429 when this client looks up receipts faster than ``settings.lookup_limit``."""
        wait = self.lookups.retry_after(self.client(request), self.clock().timestamp())
        if wait is None:
            return None
        return JSONResponse({"error": messages.LOOKUPS_LIMITED}, 429,
                            headers={"Retry-After": str(int(wait + 0.999))})

    async def entry(self, request: Request) -> Entry | None:
        """The queued submission the path names, or None for a malformed or unknown id."""
        issue_id = request.path_params["issue_id"]
        if not ID_RE.match(issue_id):
            return None
        return await run_in_threadpool(self.store.get, issue_id)

    def public_url(self, entry: Entry) -> str | None:
        """The issue's page on the site, once it is published and the site is known."""
        return public_url(self.settings, entry)


def intake_of(request: Request) -> Intake:
    """The shared state of the application serving ``request``."""
    intake: Intake = request.app.state.intake
    return intake


async def token(request: Request) -> Response:
    """A fresh form token, for a form the site serves."""
    intake = intake_of(request)
    return JSONResponse({"token": intake.tokens.issue()}, headers={"Cache-Control": "no-store"})


async def submit(request: Request) -> Response:
    """A resident's form: read within the limits, token checked, then admitted or refused."""
    intake = intake_of(request)
    settings = intake.settings
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_body:
        # Refuse before reading a byte of the body.
        return JSONResponse({"errors": {"form": messages.BODY_TOO_LARGE}}, 413)
    try:
        body = await read_body(request.stream(), settings.max_body,
                               idle=settings.limits.body_idle_timeout,
                               total=settings.limits.body_timeout)
    except TooLarge:
        return JSONResponse({"errors": {"form": messages.BODY_TOO_LARGE}}, 413)
    except TooSlow:
        return JSONResponse({"errors": {"form": messages.BODY_TOO_SLOW}}, 408,
                            headers={"Connection": "close"})
    except ClientDisconnect:
        # Nobody is left to answer; an abandoned upload is not an error of ours.
        log.info("client went away before its form was read")
        return Response(status_code=400)
    values: dict[str, str] = {}
    try:
        form = parse_form(request.headers.get("content-type", ""), body)
        values = form.fields
        nonce = intake.tokens.verify(values.get("token", ""))
    except TokenRefused as exc:
        return intake.refused(request, 422, {"token": str(exc)}, values)
    except Invalid as exc:
        return intake.refused(request, 422, exc.errors, values)
    # The token is taken: given back unless the submission is admitted (one use each).
    admitted = False
    try:
        response, admitted = await admit_form(intake, request, form, values)
        return response
    finally:
        if not admitted:
            intake.tokens.release(nonce)


async def admit_form(intake: Intake, request: Request, form: FormData,
                     values: dict[str, str]) -> tuple[Response, bool]:
    """The answer to a form whose token is good, and whether it was admitted."""
    store, settings, clock = intake.store, intake.settings, intake.clock
    try:
        if honeypot_filled(values):
            raise Invalid({"form": messages.HONEYPOT})
        errors: dict[str, str] = {}
        try:
            submission = parse_submission(values, intake.council)
        except Invalid as exc:
            errors.update(exc.errors)
        uploads: list[Upload] = []
        try:
            # Header checks only (size, format, pixel count): no pixel is decoded yet.
            uploads = check_photos(form.uploads)
        except Invalid as exc:
            errors.update(exc.errors)
        if errors:
            raise Invalid(errors)
    except Invalid as exc:
        return intake.refused(request, 422, exc.errors, values), False

    client = intake.client(request)
    day = intake.today()
    suffix = intake.suffix
    try:
        # A duplicate or a limited client is answered before any photo is decoded.
        decided = await run_in_threadpool(
            store.decide, submission, client=client, now=clock().timestamp(),
            limit=settings.rate_limit)
        if decided is None:
            try:
                photos = await intake.photos.process(uploads) if uploads else []
            except Invalid as exc:
                return intake.refused(request, 422, exc.errors, values), False
            except Busy:
                return intake.refused(request, 503, {"form": messages.BUSY}, values,
                                      {"Retry-After": "30"}), False
            # Answered only once the group it was committed with is on disk.
            decided = await intake.writer.admit(Admission(
                submission, photos, client=client, now=clock().timestamp(),
                new_id=lambda: new_id(day, suffix=suffix), limit=settings.rate_limit))
    except StoreError as exc:
        # Not admitted: say so (no receipt), and keep the form so nothing typed is lost.
        log.error("submission not admitted: %s", exc)
        return intake.refused(request, 503, {"form": messages.STORE_UNAVAILABLE}, values,
                              {"Retry-After": "10"}), False
    outcome = decided
    if not isinstance(outcome, Admitted):
        wait = int(outcome.retry_after + 0.999)
        message = messages.RATE_LIMITED.format(minutes=max(1, (wait + 59) // 60))
        return intake.refused(request, 429, {"form": message}, values,
                              {"Retry-After": str(wait)}), False
    receipt_url = intake.url_for(request, "receipt", issue_id=outcome.id)
    if outcome.duplicate:
        log.info("%s: same text resubmitted, first receipt returned", outcome.id)
    else:
        log.info("%s: queued (%d photo(s))", outcome.id, len(uploads))
    if wants_json(request):
        return JSONResponse(
            {"id": outcome.id, "status": outcome.status.value, "receipt_url": receipt_url},
            202), True
    return RedirectResponse(receipt_url, 303), True


async def submission_status(request: Request) -> Response:
    """A queued submission's status as JSON, with its tracking steps and links."""
    intake = intake_of(request)
    if limited := intake.too_many_lookups(request):
        return limited
    entry = await intake.entry(request)
    if entry is None:
        return JSONResponse({"error": messages.NOT_FOUND}, 404)
    answer: dict[str, str] = {"id": entry.id, "status": entry.status.value,
                              "label": messages.STATUS_LABELS[entry.status]}
    # Local forges name a branch, not a web page: only real links are shown.
    if entry.pr_url and entry.pr_url.startswith(("https://", "http://")):
        answer["pr_url"] = entry.pr_url
    url = intake.public_url(entry)
    if url:
        answer["public_url"] = url
    tracked = await run_in_threadpool(tracking_answer, intake.store, entry)
    return JSONResponse({**answer, **tracked}, headers={"Cache-Control": "no-store"})


async def receipt(request: Request) -> Response:
    """The receipt page a resident keeps: the submission's status and what happened since."""
    intake = intake_of(request)
    if limited := intake.too_many_lookups(request):
        return limited
    entry = await intake.entry(request)
    if entry is None:
        return html(f"<!doctype html><meta charset=utf-8><p>{messages.NOT_FOUND}</p>", 404)
    tracked = await run_in_threadpool(intake.store.tracking, entry.id)
    return html(receipt_page(intake.council, entry, intake.public_url(entry),
                             tracked[1] if tracked else ()))


async def form(request: Request) -> Response:
    """The no-JS submission form, with a token of its own."""
    intake = intake_of(request)
    return html(form_page(intake.council, action=intake.url_for(request, "submissions"),
                          token=intake.tokens.issue()))


async def health(request: Request) -> Response:
    """Liveness for the council's monitoring."""
    return JSONResponse({"ok": True})


ROUTES = [
    Route("/api/token", token, methods=["GET"]),
    Route("/api/submissions", submit, methods=["POST"], name="submissions"),
    Route("/api/submissions/{issue_id}", submission_status, methods=["GET"]),
    Route("/submit", form, methods=["GET"]),
    Route("/receipt/{issue_id}", receipt, methods=["GET"], name="receipt"),
    Route("/healthz", health, methods=["GET"]),
]


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """On shutdown, commit the admissions already handed to the writer and stop the photo
    pool, before the service exits."""
    yield
    intake: Intake = app.state.intake
    await run_in_threadpool(intake.writer.close)
    await run_in_threadpool(intake.photos.close)


def create_app(
    store: Store, council: Council, *, settings: ServiceSettings | None = None,
    clock: Clock = system_clock, suffix: RandomSource = random_suffix,
    photo_work: PhotoWork | None = None,
) -> Starlette:
    """The ASGI application; ``clock`` and ``suffix`` are seams for tests, ``photo_work``
    bounds the decoding of photos (one thread a core and a pixel budget by default)."""
    settings = settings or ServiceSettings()
    tokens = FormTokens(store.setting("form-token-secret"), clock,
                        TokenPolicy(min_fill_seconds=settings.min_fill_seconds,
                                    max_uses=settings.token_uses))
    # Never in the store: with the hashes and the pepper side by side, an IPv4 address is
    # found by trying them all. Without a configured one, a file of its own beside the store.
    pepper = settings.client_pepper or load_pepper(pepper_beside(store.path))
    store.forget_setting("client-salt")  # where earlier versions kept it
    intake = Intake(store=store, council=council, settings=settings, clock=clock,
                    suffix=suffix, tokens=tokens, pepper=pepper,
                    lookups=Throttle(settings.lookup_limit), writer=GroupCommitter(store),
                    photos=photo_work or PhotoWork())
    middleware = [
        Middleware(AccessLog),
        Middleware(CORSMiddleware, allow_origins=allowed_origins(settings),
                   allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"],
                   expose_headers=["Retry-After"], allow_credentials=False, max_age=600),
    ]
    app = Starlette(routes=[*ROUTES, *RATING_ROUTES, RECEIPT_LOOKUP_ROUTE],
                    middleware=middleware, lifespan=lifespan)
    app.state.intake = intake
    app.state.rating_pages = RatingPages(council, Ratings(store), clock, settings.site_url)
    app.state.receipt_lookup = ReceiptLookup(store, council, intake.public_url)
    return app


class AccessLog:
    """One log line per request: method, path, status and time; never the client's address
    or the query string (which could carry anything a client put there)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, object], receive: Callable[..., Awaitable[object]],
                       send: Callable[..., Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: dict[str, object]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])  # type: ignore[call-overload]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            log.info("%s %s %d %.0fms", scope["method"], loggable(loggable_path(str(scope["path"]))), status,
                     (time.perf_counter() - started) * 1000)


def loggable(path: str, limit: int = 200) -> str:
    """A request path fit for one log line: control and other unprintable characters
    escaped (a ``%0A`` in a path must not start a forged line), long paths cut."""
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                    for ch in path[:limit])
    return shown + ("…" if len(path) > limit else "")
