"""Splits: the seen/unseen class partition, the train/val/test video split, the official split."""
