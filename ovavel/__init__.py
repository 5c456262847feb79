"""ovavel: the toolkit for Open-Vocabulary Audio-Visual Event Localization (OV-AVEL)."""

__version__ = "0.1.0"

SEGMENTS_PER_CLIP = 10
"""A clip is ten 1-second segments."""

BACKGROUND = "background"
"""The prediction value of a segment that holds no audio-visual event."""
