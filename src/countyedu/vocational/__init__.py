"""Vocational education (issue 16 item 3; POLICY.md 第12、13、15条, T-VOC-1): majors and their
enrolment, school–enterprise cooperation (partners, order classes, internships), graduates employed
locally, 1+X certificates and the credit bank (学分银行). No Django here (tests/test_layering.py)."""
