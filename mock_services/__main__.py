"""`python -m mock_services` is `ndxp-sim mocks`: the mock backends on their own."""

import sys

from gateway.cli import app

app(["mocks", *sys.argv[1:]])
