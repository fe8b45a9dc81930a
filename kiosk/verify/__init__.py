"""``kiosk verify``: prove before the event that the roster's card_ids appear, unambiguously,
in what the card readers output.

- :mod:`kiosk.verify.roster_source`: the roster's ``(card_id, username)`` pairs (CSV or DB).
- :mod:`kiosk.verify.analysis`: :func:`~kiosk.verify.analysis.verify` and each swipe's verdict.
- :mod:`kiosk.verify.batch`: a capture's swipes checked together (the same verdicts, faster).
- :mod:`kiosk.verify.model`: the plain results (``SwipeCheck``, ``VerifyReport``).
- :mod:`kiosk.verify.render_text` / :mod:`kiosk.verify.render_json`: the two report forms.
"""
