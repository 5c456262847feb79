"""OV-AVEL metrics: accuracy, segment-level F1 and event-level F1, exactly as the benchmark
defines them, as functions over arrays (`ovavel.metrics.core`) and as reports over files
(`ovavel.metrics.report`)."""

from ovavel.metrics.core import (VideoScores, accuracy, dataset_mean, event_counts, event_f1, segment_f1,
                                 summarise, video_scores)

__all__ = ["VideoScores", "accuracy", "dataset_mean", "event_counts", "event_f1", "segment_f1", "summarise",
           "video_scores"]
