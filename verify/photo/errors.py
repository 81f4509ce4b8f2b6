"""Errors raised by ``verify.photo``: unreadable photo files, invalid or unknown profiles, missing
face models and photos that cannot be fixed automatically.

A photo that merely breaks a rule is never an error: :func:`verify.photo.check_photo` returns it
as a failed check. These errors are for inputs that cannot be judged at all.
"""

from __future__ import annotations

from core import ErrorCode, ZhengzhaoError


class PhotoInputError(ZhengzhaoError):
    """The bytes are not a readable photo (empty, too large, unsupported, truncated, corrupt, a
    decompression bomb). Carries one of the ``INPUT_*`` codes."""


class PhotoProfileError(ZhengzhaoError):
    """A photo profile file is invalid (``PHOTO_PROFILE_INVALID``) or a profile id is unknown
    (``PHOTO_PROFILE_NOT_FOUND``)."""


class PhotoModelError(ZhengzhaoError):
    """The face models cannot be used (``PHOTO_MODEL_UNAVAILABLE``): mediapipe is missing or its
    bundled models failed to load."""


class PhotoFixError(ZhengzhaoError):
    """A photo cannot be turned into a compliant one automatically (``PHOTO_FIX_IMPOSSIBLE``):
    no face, several faces, or a face too small to enlarge without visible blur.

    Build it with the reason only: ``PhotoFixError(message_en, message_zh)``. The root error's
    form ``PhotoFixError(ErrorCode.PHOTO_FIX_IMPOSSIBLE, message_en, message_zh)`` works too.
    """

    def __init__(self, *args: object) -> None:
        if len(args) == 3 and isinstance(args[0], ErrorCode):
            code, message_en, message_zh = args[0], args[1], args[2]
        elif len(args) == 2:
            code, message_en, message_zh = ErrorCode.PHOTO_FIX_IMPOSSIBLE, args[0], args[1]
        else:
            raise TypeError("PhotoFixError(message_en, message_zh)")
        super().__init__(code, str(message_en), str(message_zh))


def profile_not_found(profile_id: str, known: list[str]) -> PhotoProfileError:
    choices = ", ".join(sorted(known)) or "none"
    return PhotoProfileError(
        ErrorCode.PHOTO_PROFILE_NOT_FOUND,
        f"Unknown photo profile '{profile_id}'. Known profiles: {choices}.",
        f"未知的照片规格 '{profile_id}'。可用规格：{choices}。",
    )


def profile_invalid(file_name: str, problem: str) -> PhotoProfileError:
    return PhotoProfileError(
        ErrorCode.PHOTO_PROFILE_INVALID,
        f"Photo profile file '{file_name}' is invalid: {problem}",
        f"照片规格文件 '{file_name}' 无效：{problem}",
    )


def model_unavailable(why: str) -> PhotoModelError:
    return PhotoModelError(
        ErrorCode.PHOTO_MODEL_UNAVAILABLE,
        f"The face models are unavailable: {why}",
        f"人脸模型不可用：{why}",
    )
