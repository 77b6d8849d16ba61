"""Demo data for `tijian serve --demo` and the test suite: accounts, enterprises, the gallery of
30 cases replayed through the real use cases, prevention and work-order samples. Production code
never imports it (a contract in pyproject.toml); only the command line and the benchmark do."""
