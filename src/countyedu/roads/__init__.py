"""Road travel (issue 17): the county's road network read from OpenStreetMap or a road-line file,
stored as the census's `roads` sheet, and the distances and times planning reads from it."""
