"""Judge job types (`cases`: post-eval and auto-judge) and live judging inside an eval job
(`live`); the composition root registers them."""
