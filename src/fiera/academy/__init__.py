"""The academy: courses, workshops, assessments, certificates and alumni."""
