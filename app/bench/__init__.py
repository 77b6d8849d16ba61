"""`tijian bench`: a province-sized database (generator) and the request timings (probes)."""

from .generator import Generated, generate
from .probes import Timing, run_bench

__all__ = ["Generated", "Timing", "generate", "run_bench"]
