"""The outcome features of a run's placements, from the index that scored the batch.

A committed placement's features cannot be recomputed later: the catalogue the scorer reads
drops filled vacancies and placed households. So the job stores them with each placement
(and the commit copies them to the decision) while the batch's index still holds the rows.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from matching.ranking import MatchIndex
from matching.scoring.components import OUTCOME_FEATURES
from matching.scoring.scorer import OPTION_COLUMNS


def placement_features(index: MatchIndex, placements: pl.DataFrame) -> list[dict[str, float]]:
    """:data:`~matching.scoring.components.OUTCOME_FEATURES` of each placement row, in order.

    ``placements`` has the option columns (household, locality, home, vacancy, second
    vacancy ids) of options the index ranked; they are evaluated once more, in one
    vectorized pass over the placed options only, by the same scorer and catalogue.
    """
    if placements.height == 0:
        return []
    if index.households is None:
        raise ValueError("the batch's index has no households registered")
    options = placements.select(OPTION_COLUMNS).with_columns(
        pl.col("second_vacancy_id").replace("", None)
    )
    ev = index.scorer.evaluate_frame(index.households, options)
    values = np.column_stack([ev.features[k] for k in OUTCOME_FEATURES]).tolist()
    return [dict(zip(OUTCOME_FEATURES, row, strict=True)) for row in values]
