"""The tuner's pure logic: the search space, search strategies, objectives and study state."""
