"""The audit log: who changed what, when, the values before and after, and the request id."""
