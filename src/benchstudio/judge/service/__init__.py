"""Judge use cases: the engine (verdict_call, judge_models), reports, comparisons, jobs."""
