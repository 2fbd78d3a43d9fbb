"""The budget rows of the permission matrix, each mapped to one request (merged into
``kohorte/core/tests/test_permission_matrix.py``)."""

REQUESTS = {}
