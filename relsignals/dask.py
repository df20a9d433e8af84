"""Dask: classify a corpus larger than one machine, partition by partition.

Needs the ``dask`` extra (``pip install "relsignals[dask]"``). Each worker process
loads the model once, on its first partition, and keeps it.

>>> import dask.dataframe as dd, relsignals.dask          # doctest: +SKIP
>>> ddf = dd.read_csv("posts-*.csv")                      # doctest: +SKIP
>>> relsignals.dask.classify(ddf, column="body").to_parquet("out/")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from .frame import classify_frame, empty_frame


def classify(ddf: Any, column: str = "text") -> Any:
    """A lazy Dask DataFrame with :func:`relsignals.classify_frame`'s columns, same index and partitions."""
    if column not in ddf.columns:
        from .errors import InputFileError

        raise InputFileError(f"no column {column!r} in the Dask DataFrame; columns: {', '.join(map(str, ddf.columns))}")
    meta = empty_frame()
    meta.index = meta.index.astype(ddf.index.dtype)
    return ddf.map_partitions(classify_frame, column=column, meta=meta)
