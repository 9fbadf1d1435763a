"""Pipelines: the work behind each task, as plain functions of an operation's parameters."""
