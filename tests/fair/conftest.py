"""Fair-mode tests use the check-in tests' roster and event on a real database."""

from tests.checkin.conftest import event, student_ids

__all__ = ["event", "student_ids"]
