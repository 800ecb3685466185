"""A stock scikit-learn image classifier for MLServer's own sklearn runtime, trained on features
the test made (tests/cloud/test_stock_classifier.py). Runs in the MLServer environment
(.venv-interop, tests/interop/requirements.txt), whose scikit-learn loads the model.

    python train_classifier.py FEATURES.npz MODEL_DIR NAME

Writes MODEL_DIR/model.joblib and MODEL_DIR/model-settings.json.
"""

import json
import sys
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

features, out, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
data = np.load(features)
model = LogisticRegression(max_iter=5000).fit(data["x"], data["y"])
out.mkdir(parents=True, exist_ok=True)
joblib.dump(model, out / "model.joblib")
settings = {
    "name": name,
    "implementation": "mlserver_sklearn.SKLearnModel",
    "parameters": {"uri": "./model.joblib", "version": "v1"},
}
(out / "model-settings.json").write_text(json.dumps(settings))
print(f"trained on {len(data['y'])} pictures, accuracy {model.score(data['x'], data['y']):.2f}")
