"""Tuner routes (`/api/tuning`): runs (`runs`), and the library around them (`library`):
the space check, vendor and saved presets, applying a run's best."""
