"""The academy: courses, exams, certificates and alumni (issue 10)."""
