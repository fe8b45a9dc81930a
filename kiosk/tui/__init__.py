"""The Textual kiosk: student screens, staff mode, widgets. Calls services; holds no rules."""
