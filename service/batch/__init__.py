"""Batch screening on every core: a process pool, one compiled engine per worker, shard files stitched in
input order, the summary CSV. May import `zonecheck.engine`, `service.present` and `service.app`."""
