"""Supervision and task tracking (第31–34条; STANDARDS SV): the policy's task register, responsible
inspectors and their assignment, visits, findings and rectification, safety hazards, the yearly
evaluations of schools and townships, and the 约谈 list.

Computations only (no Django): the web app keeps the daily records (task updates, visits, findings,
rectifications) and passes them here as plain frames (`supervision.records`)."""
