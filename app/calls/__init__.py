"""Calls for proposals: windows, caps, timetable, eligibility, rubric."""
