"""The process designers' side: the process library's models and their deployment, and moving
running cases onto a new process version."""
