"""The housing-development register (住宅项目, 第2、19条): each residential project's households, the
kindergarten or school its plan requires by the PN norms, and its construction, acceptance and
handover, flagged by date."""
