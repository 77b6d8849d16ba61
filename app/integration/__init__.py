"""Other government systems: the JSON views of cases and tasks behind /api/v1, and the events
they send in (12315/12345 work orders, party requests, court replies, payments)."""
