"""The academy's writes for other apps (decision 0009): thin re-exports of each feature's
services."""

from __future__ import annotations

# --- exams ---
from fiera.academy.exams import EXAM_PASSED as EXAM_PASSED
from fiera.academy.exams import attempts_close_due as attempts_close_due
