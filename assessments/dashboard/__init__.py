"""The first page a signed-in person sees: their partnerships, rounds and what they
may do in each."""
