"""What zonecheck offers people and systems, on top of `zonecheck.engine` (which never imports it).

Layers, lowest first; each imports only the engine and the layers below it (tests/test_architecture.py):

- `present/`  labels and messages in Chinese and English, rule-book views, renderers (text, Markdown);
- `app/`      the one screening function the CLI, batch and (later) HTTP call; reading proposal files;
- `batch/`    batch screening on every core (a process pool writing shards, stitched in input order);
- `specs/`    the acceptance specs (step vocabulary, glossary, pytest plugin, coverage, reports);
- `cli/`      the `zonecheck` command.

Room is kept for `api/` (HTTP), `store/` (storage and audit), `web/` and `replay/`.
"""
