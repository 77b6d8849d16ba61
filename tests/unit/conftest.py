"""Unit tests: no app, no database.

The BPMN elements they execute are written for `tijian check-workflows --coverage` at the end of
the run by tests/conftest.py (tests/unit/element_coverage.py), merged across xdist workers."""
