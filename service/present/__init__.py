"""Views of verdicts and packs for people: labels and messages (zh, en), text and Markdown renderers, the
rule book (one rule in full, the generated rule table, lint). May import `zonecheck.engine` only."""
