"""What zonecheck offers people and systems, on top of `zonecheck.engine` (which never imports it).

Layers, lowest first; each imports only the engine and the layers below it (tests/test_architecture.py):

- `present/`  labels and messages in Chinese and English, rule-book views, renderers (text, Markdown);
- `app/`      the one screening function the CLI, batch and HTTP call; reading proposals, atomic output;
- `batch/`    batch screening on every core (a process pool writing shards, stitched in input order);
- `specs/`    the acceptance specs (step vocabulary, glossary, pytest plugin, coverage, reports);
- `store/`    storage of screenings, packs, keys and decisions; the hash-chained audit log (SQLAlchemy);
- `api/`      the HTTP service (FastAPI) on app and store;
- `cli/`      the `zonecheck` command (`zonecheck serve`, `zonecheck specs` among them).

Room is kept for `web/` and `replay/`.
"""
