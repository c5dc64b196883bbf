"""The academy: courses, lessons, cohorts, workshops, assessments, rankings, verifiable
certificates (Open Badges 3.0) and the alumni community."""
