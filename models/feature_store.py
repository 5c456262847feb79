"""The feature store lives in the core (ovavel.feature_store: an interchange format that the
splits export reads too); this name stays for the code and notebooks that import it from here."""

from ovavel.feature_store import Features, FeatureStore  # noqa: F401
