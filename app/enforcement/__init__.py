"""The case loop, A 风险预警 to L 信用修复: opening cases and working their tasks, the inbox, the
documents (文书) issued along the way, decision support, attachments, the case library and case
search, the enterprise's health record, the background worker that fires the process timers, and
the figures (facts, tallies) every case change keeps for the dashboard."""
