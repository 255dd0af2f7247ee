"""Filling in an assessment: the task list, a page per dimension, check answers and
submit. `selectors` read, `services` write (checking `assessments.access`), `views`
join them to the templates."""
