"""Exam results and quality monitoring (issue 16 item 1; 第8、29条): the measures per school, township
and county, the between-school spread, value added with its uncertainty, T-HS-3 and a school's own
report. Computations only: no Django, no words (message keys)."""
