"""Supervision across the 14 units: the cockpit (dashboard and heatmap), 案卷评查 (file review) and
the incidents of the background work."""
