"""The bad-input catalogue (cases.py) and its worker (runner.py); the tests that run it are in
tests/python/test_build_bad_inputs.py."""
