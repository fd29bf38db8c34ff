"""Ratings and reviews of completed jobs: the rules (`domain`) and their pages (`views`)."""
