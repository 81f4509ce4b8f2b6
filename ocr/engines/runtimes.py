"""Inference runtimes for the PP-OCR ONNX models: ONNX Runtime (default) or OpenVINO.

Both run the very same ``.onnx`` files from the ``rapidocr`` wheel; RapidOCR itself offers both.
On the 2-core AMD EPYC machines we measured, OpenVINO ran the recognition model about twice as
fast per input column (0.022 vs 0.042 ms) and detection 2.5× faster, so it is worth offering;
ONNX Runtime stays the default because it has no other dependencies.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import numpy as np

from core import ErrorCode
from ocr.errors import EngineError, engine_unavailable

Runner = Callable[[np.ndarray], np.ndarray]


class Runtime(StrEnum):
    """Where the ONNX graphs run."""

    ONNXRUNTIME = "onnxruntime"
    OPENVINO = "openvino"


def load_runner(runtime: Runtime, path: Path, threads: int, shape_cache: int = 5000) -> Runner:
    """A callable running one model on one input array, returning its first output.

    ``shape_cache`` is OpenVINO's per-model cache of kernels compiled for input shapes: on the
    benchmark set 5000 (OpenVINO's default) gave 158 ms per ID card at ~1.8 GB peak RSS, 100 gave
    214 ms at ~1 GB.
    """
    try:
        if runtime == Runtime.OPENVINO:
            return _openvino_runner(path, threads, shape_cache)
        return _onnxruntime_runner(path, threads)
    except EngineError:
        raise
    except Exception as exc:  # each runtime has its own failure types
        raise EngineError(
            ErrorCode.ENGINE_FAILED,
            f"could not load the PP-OCR model {path.name} on {runtime}: {type(exc).__name__}",
            f"无法在 {runtime} 上加载 PP-OCR 模型 {path.name}：{type(exc).__name__}",
        ) from exc


def model_metadata(path: Path) -> dict[str, str]:
    """Custom metadata stored in an ONNX file (the recogniser keeps its character table there)."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime as ort  # noqa: PLC0415 - after the telemetry switch

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return dict(session.get_modelmeta().custom_metadata_map)


def _onnxruntime_runner(path: Path, threads: int) -> Runner:
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    import onnxruntime as ort  # noqa: PLC0415 - after the telemetry switch

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        return session.run(None, {name: batch})[0]

    return run


def _openvino_runner(path: Path, threads: int, shape_cache: int) -> Runner:
    try:
        import openvino as ov  # noqa: PLC0415 - optional runtime
    except ImportError as exc:
        raise engine_unavailable(
            "rapidocr/openvino",
            "the openvino package is not installed (pip install -r requirements.lock)",
            "未安装 openvino 包（pip install -r requirements.lock）",
        ) from exc
    core = ov.Core()
    compiled = core.compile_model(
        core.read_model(str(path)),
        "CPU",
        {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
         "CPU_RUNTIME_CACHE_CAPACITY": shape_cache},
    )
    local = threading.local()

    def run(batch: np.ndarray) -> np.ndarray:
        # One infer request per thread: requests are not safe to share between threads.
        request = getattr(local, "request", None)
        if request is None:
            request = local.request = compiled.create_infer_request()
        request.infer({0: batch})
        return np.array(request.get_output_tensor(0).data, copy=True)

    return run
