"""Synthetic data: a whole programme round for the scorer and the service, and abstract batches.

- :mod:`matching.synthetic.programme`: :func:`~matching.synthetic.programme.generate_programme`
  draws households, vacancies, homes and locality capacities in the real destination
  localities (priors in :mod:`~matching.synthetic.priors`, drawn by
  :mod:`~matching.synthetic.households` and :mod:`~matching.synthetic.destinations`).
- :mod:`matching.synthetic.batch`: the solver benchmark's abstract allocation batch (options
  already scored), :func:`~matching.synthetic.batch.generate_programme`.
"""
