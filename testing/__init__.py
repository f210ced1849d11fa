"""Tools for testing against the simulator: the contract-test runner and the pytest plugin."""
