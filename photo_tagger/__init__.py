"""photo-tagger: an offline-first desktop photo tagger."""

__version__ = "0.1.0"
