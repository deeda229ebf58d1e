"""Pure rules of eval runs (`rules`) and the per-case drill-down (`explain`)."""
