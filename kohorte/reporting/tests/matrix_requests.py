"""The reporting rows of the permission matrix (proof of use, funder dashboard), each
mapped to one request; merged into ``kohorte/core/tests/test_permission_matrix.py``."""

REQUESTS = {}
