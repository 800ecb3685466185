"""Finding photo files: walking folders, file identity (size, time, content id), what a rescan
must redo (discovery), and which files are photos and which RAW and JPEG are one shot (formats,
by the names the image format registry, photo_tagger.imaging.formats, gives each format). Knows
nothing of models or of the library's store."""
