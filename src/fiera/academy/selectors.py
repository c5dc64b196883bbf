"""The academy's reads for other apps (decision 0009): thin re-exports of each feature's
selectors."""

from __future__ import annotations

# --- exams ---
from fiera.academy.exams import leaderboard as leaderboard
