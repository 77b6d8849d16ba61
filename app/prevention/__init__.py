"""Prevention before a case (实施意见 一): 12315/12345 work orders and their hotspots, the graded
risk list and warning batches (which open stage-A cases), 双随机 sampling draws (which open
inspection cases) and the published compliance guidance."""
