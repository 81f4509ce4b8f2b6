"""Importing mediapipe and keeping its native start-up chatter off stderr.

mediapipe's C++ graphs write a fixed set of harmless lines to file descriptor 2 when they start
(TensorFlow Lite's "Created XNNPACK delegate", absl's "before InitializeLog" notice, feedback-tensor
and NORM_RECT warnings). :func:`quiet_native_stderr` captures fd 2 while the graphs start and
writes back every line that is *not* one of those, so real errors are still seen.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Final

from verify.photo.errors import model_unavailable

_NOISE: Final = re.compile(
    r"Created TensorFlow Lite XNNPACK delegate"
    r"|All log messages before absl::InitializeLog\(\) is called"
    r"|inference_feedback_manager\.cc:\d+\] Feedback manager requires a model"
    r"|landmark_projection_calculator\.cc:\d+\] Using NORM_RECT without IMAGE_DIMENSIONS"
)
_FD_LOCK: Final = threading.RLock()


def import_mediapipe() -> ModuleType:
    """``import mediapipe`` with glog/TF quietened to warnings (unless the caller set them), or
    ``PHOTO_MODEL_UNAVAILABLE``."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with quiet_native_stderr():
            return importlib.import_module("mediapipe")
    except ImportError as exc:
        raise model_unavailable(f"mediapipe is not installed ({exc.name or 'mediapipe'})") \
            from None


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Capture fd 2 for the duration; replay every line except the known start-up noise."""
    with _FD_LOCK, tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
        finally:
            os.close(saved)
        sink.seek(0)
        kept = [line for line in sink.read().decode("utf-8", "replace").splitlines(keepends=True)
                if not _NOISE.search(line)]
    if kept:
        sys.stderr.write("".join(kept))
        sys.stderr.flush()
