"""Pure rules of experiments: which results are on the experiment's scale (and why not), the
baseline, the best, and the timeline order. Plain records in, plain records out."""
