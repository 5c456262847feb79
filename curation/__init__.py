"""Curation: from the VGGSound index to trimmed, normalised, segmented 10-second clips."""
