"""Card-swipe check-in kiosk for university career services."""

__version__ = "0.1.0"
