"""Name tags: a label per check-in (PDF), printed in the background.

``labels`` (the label sizes), ``render`` (a tag as PDF, text fitted to the label),
``tags`` (what a tag says, read from the database), ``printers`` (CUPS through ``lp``, or
``dir:PATH``), ``spool`` (the background worker: a check-in never waits for a printer).
No Textual here: the kiosk reaches it through ``kiosk.desk``.
"""
