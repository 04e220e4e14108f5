"""Customer surveys (CSAT, NPS, CES) by signed link, their answers and their figures."""
