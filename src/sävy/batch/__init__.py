"""Batch scoring of transcripts (``savy score``): readers, scoring, writers, runs."""

from .readers import ReadOptions, Record, read_records
from .run import ScoreOptions, Summary, run_score
from .score import AnalyzerSpec, score_records

__all__ = ["AnalyzerSpec", "ReadOptions", "Record", "ScoreOptions", "Summary", "read_records",
           "run_score", "score_records"]
