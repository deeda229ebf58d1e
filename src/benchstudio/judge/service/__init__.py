"""Judge use cases: submit and estimate (`submit`), reading reports, reviews and policy
(`reports`), agreement across reports (`agreement`), judging cases for a report (`judging`),
live judging inside an eval job (`live`), the auto-judge (`auto`); the engine's one structured
call (`verdict_call`, `judge_models`); comparative and cross-case passes."""
