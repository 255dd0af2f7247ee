"""The action plan: gaps in a partnership report turned into actions with owners, due
dates and statuses, followed from round to round."""
