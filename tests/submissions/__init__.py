"""Submissions for the feedback tests: hand-written student functions and the builders that make files of them."""
