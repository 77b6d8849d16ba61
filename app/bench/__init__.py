"""`tijian bench`: a province-sized database (generator), the page probes, and the figures
through the real stack (engine floor, HTTP via gunicorn, PDF, memory, bytes per case)."""

from .figures import Figure
from .generator import Generated, generate
from .run import BenchRun, run_bench

__all__ = ["BenchRun", "Figure", "Generated", "generate", "run_bench"]
