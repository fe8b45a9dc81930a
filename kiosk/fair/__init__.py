"""Fair mode: several kiosks on one shared PostgreSQL database, each able to go on alone.

- ``replica``: each kiosk's local SQLite copy of what it needs (roster card_ids and names,
  events, staff secrets, the event's check-ins), refreshed while the shared database answers;
- ``sync``: check-ins made while it did not answer, sent exactly once, in order, with their
  original times; a student checked in at two kiosks that could not see each other counts
  once (the earliest), the later check-in kept and marked as a duplicate;
- ``link``: whether the shared database answers now; decided in one place (the desk).
"""
