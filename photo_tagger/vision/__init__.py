"""The models on this computer: one class per ONNX model over an onnxruntime session, and the
parallel pipeline that runs them on decoded photos.

- `model`: the manifest (its entries, thresholds and vocabulary file behind typed accessors), the
  integrity check of each file, and `OnnxModel`, one session per model.
- `detector.FaceDetector`, `embedder.FaceEmbedder`, `tagger.Tagger`: pre- and post-processing
  around each model; `vocabulary.Vocabulary` maps the classifier's and the object detector's
  classes to photo tags.
- `objects.ObjectDetector`: COCO's 80 classes with scores and boxes.
- `pipeline`: `Models` (all of them, loaded once), `Analyzer` (one photo's faces, embeddings,
  objects and tags; or a few photos', each model on all of them in turn).
- `workers`: `map_in_threads` and `map_in_groups` (the worker pool with its bound on photos in
  flight, one photo or a few a call) and `Progress`.

Pure functions of pixels: no store, no Qt, no network.
"""
