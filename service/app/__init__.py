"""The application layer: the screening function every front end calls (input -> verdict or problems),
and reading proposals from files. May import `zonecheck.engine` and `service.present`."""
