"""Prometheus metrics: requests, latency histograms, decisions by kind. With several workers the values
are shared through `PROMETHEUS_MULTIPROC_DIR`, which `zonecheck serve` sets before they start."""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import REGISTRY, multiprocess

REQUESTS = Counter("zonecheck_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("zonecheck_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
SCREENINGS = Counter("zonecheck_screenings_total", "Screenings stored, by decision", ["decision"])
OFFICER_DECISIONS = Counter("zonecheck_officer_decisions_total", "Officer decisions recorded, by outcome", ["outcome"])


def exposition() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
