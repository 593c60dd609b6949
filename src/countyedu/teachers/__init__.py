"""Teachers (issue 13; POLICY.md 第6、21、24–28条, STANDARDS.md TW, RT): staffing norms (编制), the
县管校聘 allocation, exchange rotation, qualifications, backbone teachers and titles, pay and training.

One run kind, "teachers" (`teachers.kind`), made of parts (`teachers.parts.PARTS`), each a module
with `part(ctx)`. Never imports Django, the web app, the CLI or the report renderers.
"""
