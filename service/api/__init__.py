"""The HTTP API for approval systems (FastAPI): versioned routes under /v1, access by API key, role and
zone, RFC 9457 problem details, metrics and JSON-lines access logs. Started by `zonecheck serve`.

May import `zonecheck.engine`, `service.present`, `service.app` and `service.store`. Every verdict-to-bytes
conversion and every call into `service.present` goes through `views.py`. Needs the `service` extra."""
