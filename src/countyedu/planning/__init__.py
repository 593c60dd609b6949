"""Planning (issue 5): projection, seats, facility norms, projects, catchments, siting (第1、4、5条)."""
