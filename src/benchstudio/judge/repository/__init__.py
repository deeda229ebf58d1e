"""Judge queries: reports (`reports`), per-case verdicts (`case_verdicts`), agreement inputs
(`agreement`). Every query takes the owner; the service commits, a repository never does."""
