"""ovavel: the toolkit for Open-Vocabulary Audio-Visual Event Localization (OV-AVEL)."""

__version__ = "0.1.0"

SEGMENTS_PER_CLIP = 10
"""A clip is ten 1-second segments."""

BACKGROUND = "background"
"""The prediction value of a segment that holds no audio-visual event."""

BACKGROUND_TEXT = "other"
"""The text the official release and the paper give the background as a candidate of the
training-free rule (its class list's extra line); not a class."""

AUDIO_RATE = 16000
"""Hz of the segments' audio (the official preprocessing's 16 kHz mono wav)."""

UNASSIGNED = "unassigned"
"""The prediction value of a second that the released training-free rule (strategy v01) leaves in
no row at all: it agreed on a candidate while the video's class is "other". Segment and event F1
count it in no row (neither a class nor background); accuracy reads it as background, as the
released evaluation does."""


def load(*args, **kwargs):
    """The tables of a benchmark as pandas DataFrames: see ovavel.frames.load."""
    from ovavel.frames import load as _load

    return _load(*args, **kwargs)
