"""Context tags: EXIF capture facts, offline places, dates, events and borrowed places."""
