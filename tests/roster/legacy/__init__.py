"""The importer as it was before it streamed (commit d50800c: every validated row held in
memory, the plan made in Python), frozen as the oracle of
tests/roster/test_streamed_equivalence.py: the streamed importer must give the same report
and leave the same database. Not used by the kiosk."""
