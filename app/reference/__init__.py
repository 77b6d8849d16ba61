"""Reference data as code: code lists and their Chinese labels (roles, enterprises, documents,
complaints), the parameters' and case data's schemas, the decision tables' public contract."""
