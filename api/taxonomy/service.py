"""One taxonomy and normalizer per process, built in the background at start-up.

Loading the tables and building the n-gram indexes takes a few seconds; doing it on a
background thread keeps start-up instant, and the first request that needs it waits for it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from taxonomy import Normalizer, Taxonomy, load_taxonomy
from taxonomy.textnorm import comparison_key


class TaxonomyService:
    def __init__(self, data_dir: Path, esco_dir: Path | None = None) -> None:
        self._data_dir = data_dir
        self._esco_dir = esco_dir
        self._lock = threading.Lock()
        self._taxonomy: Taxonomy | None = None
        self._normalizer: Normalizer | None = None
        self._skill_keys: list[tuple[str, str]] | None = None

    def _build(self) -> tuple[Taxonomy, Normalizer]:
        with self._lock:
            if self._taxonomy is None or self._normalizer is None:
                taxonomy = load_taxonomy(self._data_dir, esco_dir=self._esco_dir)
                normalizer = Normalizer(taxonomy)
                normalizer.index("occupation")
                normalizer.index("skill")
                self._taxonomy, self._normalizer = taxonomy, normalizer
                self._skill_keys = [
                    (a.code, comparison_key(a.alias, "skill")) for a in taxonomy.skill_aliases
                ]
            return self._taxonomy, self._normalizer

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy if self._taxonomy is not None else self._build()[0]

    @property
    def normalizer(self) -> Normalizer:
        return self._normalizer if self._normalizer is not None else self._build()[1]

    @property
    def skill_keys(self) -> list[tuple[str, str]]:
        """(code, comparison key) of every skill alias, for substring search."""
        if self._skill_keys is None:
            self._build()
        assert self._skill_keys is not None
        return self._skill_keys

    def warm_up_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self._build, name="taxonomy-warm-up", daemon=True)
        thread.start()
        return thread
