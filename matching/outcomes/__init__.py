"""Outcomes of placements: a simulator, its calibration, the back-test and a retention model.

- :mod:`~matching.outcomes.effects`: named effect sizes and observed targets
  (``data/outcome_effects.toml``);
- :mod:`~matching.outcomes.simulate`: employment at 3/6/12 months, job–education match,
  return within 12 months, deterministic from a seed;
- :mod:`~matching.outcomes.calibrate`: intercepts so that the corridor status quo reproduces
  the observed figures;
- :mod:`~matching.outcomes.cohort`, :mod:`~matching.outcomes.policies`,
  :mod:`~matching.outcomes.metrics`, :mod:`~matching.outcomes.stats`,
  :mod:`~matching.outcomes.backtest`, :mod:`~matching.outcomes.report`: the back-test;
- :mod:`~matching.outcomes.retention`: the calibrated, versioned retention classifier.
"""
