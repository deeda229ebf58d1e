"""Every job type's module, imported for its registration side effect.

The server and `benchstudio worker` both import this, so a worker knows every job type the API
can submit (a job type only it lacked would be refused as unknown).
"""

from benchstudio.benchruns import tasks as benchmark_tasks
from benchstudio.evals import tasks as tool_eval_tasks

__all__ = ["benchmark_tasks", "tool_eval_tasks"]
