"""Card-reader drivers: evdev (HID), serial, terminal and replay, behind one async interface."""
