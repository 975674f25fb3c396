"""Legal time and penalty arithmetic: deadlines in working days, surcharges, discretion quotes."""
