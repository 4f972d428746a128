"""Views of verdicts and packs for people and integrators, each a pure function of (structured verdict,
pack): the catalogue of labels and messages (zh, en), the full JSON document (schema 1.x), text, Markdown
and HTML reports (Jinja2 templates in `templates/`), and the rule book (one rule in full, the generated
rule table, lint). May import `zonecheck.engine` only."""
