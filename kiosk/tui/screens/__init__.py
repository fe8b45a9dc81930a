"""The kiosk's screens: student-facing (student, lookup, walk-in) and staff mode."""
