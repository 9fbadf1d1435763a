"""The service layer: what the routes (and the command lines) do, on a database session.

Functions here take a session and plain values, check the rules, and raise `podops.errors`
exceptions that the API turns into responses. They know nothing of HTTP.
"""
