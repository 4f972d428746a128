"""The route modules: screenings (create, read, list, report, officer decisions, dry runs), the
catalogue (rules, packs, zones, schemas), keys (admin), health and metrics."""
