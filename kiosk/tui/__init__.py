"""The Textual kiosk: student screens, staff mode, widgets. Calls services; holds no rules."""

import os

# Textual repaints at most TEXTUAL_FPS times a second (default 60), so an answer can wait up
# to a frame before it is on screen; the kiosk repaints only when something changes, so a
# shorter frame costs nothing while idle and shows each answer sooner.
os.environ.setdefault("TEXTUAL_FPS", "120")
