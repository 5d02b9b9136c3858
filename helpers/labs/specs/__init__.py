"""Exercise declarations of the shipped labs (grader only; see helpers.labs.spec)."""
