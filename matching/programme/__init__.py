"""The programme's reference data: geography, rules by programme year, the support calculator.

- :mod:`matching.programme.geography`: regions, districts, localities and their lookups
  (:func:`~matching.programme.geography.load_reference`).
- :mod:`matching.programme.versions`: programme versions and the region roles each version
  gives (which regions send and which receive, by year).
- :mod:`matching.programme.support`: the state support a household receives, in tenge.
"""
