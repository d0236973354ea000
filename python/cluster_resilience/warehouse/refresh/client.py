"""The one HTTP layer of the refresh: httpx, tenacity retries, key redaction, and a record of
every response for the provenance manifest.

- Retries (tenacity): HTTP 429/500/502/503/504, timeouts and broken connections, and bodies
  shorter than their Content-Length. A ``Retry-After`` header (seconds or an HTTP date) sets the
  wait; otherwise the wait grows exponentially with jitter. After the last attempt the error
  names the (redacted) URL and what went wrong.
- Redirects are not followed: an agency that answers with a redirect (the Census API sends
  keyless calls to an HTML page) is reported, never silently parsed.
- Every body is streamed into a file in a scratch directory (never into ``data/raw``) while its
  sha256 is computed; the caller validates it before anything is written where dbt reads.
- API keys come only from environment variables and never leave this module in clear: every URL
  and message passes through ``Redactor`` (``key=...`` becomes ``key=REDACTED``).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

LOGGER = logging.getLogger("cluster_resilience.refresh")

REDACTED = "REDACTED"
# Query parameters that carry credentials at the agencies (Census ``key``, BEA ``UserID``, BLS
# ``registrationkey``) or elsewhere; matched case-insensitively.
SECRET_PARAMETERS = ("key", "api_key", "apikey", "userid", "registrationkey", "token")
_SECRET_IN_TEXT = re.compile(
    r"(?i)([?&](?:" + "|".join(SECRET_PARAMETERS) + r")=)[^&#\s\"'<>]*"
)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def utc_now() -> str:
    """The current time, UTC, ISO 8601 with a Z (as written in the manifest)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Redactor:
    """Replaces secrets in URLs and text by ``REDACTED``: every value of a secret query
    parameter, and every known secret value (the keys read from the environment) anywhere."""

    secrets: tuple[str, ...] = ()

    def __call__(self, text: str) -> str:
        text = _SECRET_IN_TEXT.sub(lambda match: match.group(1) + REDACTED, text)
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        return text


@dataclass(frozen=True)
class Fetch:
    """One HTTP response, as recorded in the manifest (URL already redacted)."""

    url: str
    status: int
    retrieved_at: str  # UTC
    bytes: int  # body size after content decoding
    sha256: str  # of the body after content decoding
    content_type: str | None = None
    last_modified: str | None = None
    location: str | None = None  # redirect target (redacted), when the status is a redirect

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}


class HttpError(RuntimeError):
    """The agency did not deliver: a status we do not accept, or retries exhausted."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _Retryable(Exception):
    """An attempt that may succeed when repeated (status 429/5xx, short body)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: an integer, or an HTTP date."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``sleep`` is injectable so tests run without waiting."""

    attempts: int = 5
    initial_wait: float = 2.0  # seconds, doubled per attempt (with jitter) up to max_wait
    max_wait: float = 60.0
    max_retry_after: float = 600.0  # never wait longer than this, whatever Retry-After says
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


@dataclass
class AgencyClient:
    """An httpx client for the agencies' public endpoints.

    ``min_interval`` spaces consecutive requests (seconds), to stay well inside the agencies'
    rate limits; ``transport`` lets tests plug in an httpx transport.
    """

    user_agent: str
    redact: Redactor = field(default_factory=Redactor)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    min_interval: float = 0.0
    timeout: httpx.Timeout = field(
        default_factory=lambda: httpx.Timeout(connect=20.0, read=120.0, write=30.0, pool=10.0)
    )
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent},
            timeout=self.timeout,
            follow_redirects=False,
            transport=self.transport,
        )
        self._last_request: float | None = None

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> AgencyClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ public
    def download(
        self,
        url: str,
        dest: Path,
        *,
        params: Mapping[str, str] | None = None,
        accept: Collection[int] = (200,),
    ) -> Fetch:
        """GET ``url`` into ``dest`` (streamed) and return its record.

        Statuses in ``accept`` are returned (their body, if any, is in ``dest``); 429/5xx,
        timeouts, broken connections and short bodies are retried; anything else raises
        HttpError naming the redacted URL and the status.
        """
        retrying = Retrying(
            retry=retry_if_exception_type((_Retryable, httpx.TransportError)),
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            sleep=self.policy.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        shown = self.redact(str(httpx.URL(url, params=params)))
        try:
            return retrying(self._attempt, url, dest, params, frozenset(accept))
        except _Retryable as error:
            raise HttpError(
                f"{error} (gave up after {self.policy.attempts} attempts)"
            ) from None
        except httpx.TransportError as error:
            raise HttpError(
                f"{shown}: {type(error).__name__}: {self.redact(str(error))} "
                f"(gave up after {self.policy.attempts} attempts)"
            ) from None
        except httpx.HTTPError as error:
            raise HttpError(f"{shown}: {type(error).__name__}: {self.redact(str(error))}") from None

    # ----------------------------------------------------------------------------- internals
    def _pace(self) -> None:
        if self._last_request is not None and self.min_interval > 0:
            remaining = self.min_interval - (time.monotonic() - self._last_request)
            if remaining > 0:
                self.policy.sleep(remaining)
        self._last_request = time.monotonic()

    def _attempt(
        self, url: str, dest: Path, params: Mapping[str, str] | None, accept: frozenset[int]
    ) -> Fetch:
        self._pace()
        with self._client.stream("GET", url, params=params) as response:
            shown = self.redact(str(response.request.url))
            status = response.status_code
            if status in RETRY_STATUSES and status not in accept:
                raise _Retryable(
                    f"{shown}: HTTP {status} {response.reason_phrase}",
                    parse_retry_after(response.headers.get("Retry-After")),
                )
            if status not in accept:
                snippet = self.redact(response.read()[:300].decode("utf-8", "replace"))
                raise HttpError(
                    f"{shown}: HTTP {status} {response.reason_phrase}"
                    + (f"; body starts: {snippet!r}" if snippet.strip() else ""),
                    status=status,
                )
            digest = hashlib.sha256()
            size = 0
            with dest.open("wb") as handle:
                for chunk in response.iter_bytes():
                    digest.update(chunk)
                    handle.write(chunk)
                    size += len(chunk)
            declared = response.headers.get("Content-Length")
            encoded = response.headers.get("Content-Encoding", "identity") != "identity"
            received = response.num_bytes_downloaded if encoded else size
            if declared is not None and declared.isdigit() and received != int(declared):
                raise _Retryable(
                    f"{shown}: body incomplete: {received} of {declared} bytes (Content-Length)"
                )
            location = response.headers.get("Location")
            return Fetch(
                url=shown,
                status=status,
                retrieved_at=utc_now(),
                bytes=size,
                sha256=digest.hexdigest(),
                content_type=response.headers.get("Content-Type"),
                last_modified=response.headers.get("Last-Modified"),
                location=self.redact(location) if location else None,
            )

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            return min(error.retry_after, self.policy.max_retry_after)
        backoff = wait_exponential_jitter(
            multiplier=self.policy.initial_wait, max=self.policy.max_wait,
            jitter=self.policy.initial_wait,
        )
        return backoff(state)

    def _log_retry(self, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        LOGGER.warning(
            "attempt %d failed: %s; retrying in %.1f s",
            state.attempt_number, self.redact(str(error)), wait,
        )


def user_agent(contact: str | None, version: str) -> str:
    """``cluster-resilience-refresh/<version> (+<contact>)``: BLS asks for a contact address."""
    agent = f"cluster-resilience-refresh/{version}"
    return f"{agent} (+{contact})" if contact else agent

