"""Finding photo files: walking folders, file identity (size, time, content id), what a rescan
must redo, and which files are photos. Knows nothing of models or of the library's store."""
