"""Recorded outcomes of households after placement: employment at 3/6/12 months, residence,
return with a structured reason; written by the household's centres and planners, audited."""
