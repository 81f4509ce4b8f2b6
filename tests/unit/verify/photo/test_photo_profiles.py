"""Photo profiles as data: the built-in figures against their published sources, user profiles
from a directory, and the error for every kind of malformed file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import ErrorCode, Settings
from verify.photo import PhotoFormat, PhotoProfileError, Range, get_profile, load_profiles
from verify.photo.profiles import BUILTIN_DIR

MM_PER_INCH = 25.4

# HivisionIDPhotos size_list_CN.csv (name, height, width), as published.
HIVISION_SIZES = {
    "cn-1inch": (295, 413), "cn-small-1inch": (260, 378), "cn-large-1inch": (390, 567),
    "cn-small-2inch": (413, 531), "cn-large-2inch": (413, 626),
    "cn-teacher-certificate": (295, 413), "cn-civil-service-exam": (295, 413),
    "cn-accounting-exam": (295, 413), "cn-cet": (144, 192), "cn-ncre": (390, 567),
    "cn-postgraduate-exam": (531, 709), "cn-social-security-card": (358, 441),
    "cn-e-driving-licence": (260, 378),
}


def px(mm: float, dpi: int) -> float:
    return mm * dpi / MM_PER_INCH


def test_every_builtin_file_loads_and_is_named_after_its_id() -> None:
    profiles = load_profiles()
    files = sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))
    assert sorted(profiles) == files
    assert {"cn-resident-id", "cn-passport", "icao", "us-visa"} <= set(profiles)
    for path in BUILTIN_DIR.glob("*.yaml"):
        assert path.read_text("utf-8").startswith("#"), f"{path.name} must cite its source"
        assert profiles[path.stem].source


@pytest.mark.parametrize("profile_id", sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml")))
def test_every_builtin_profile_is_self_consistent(profile_id: str) -> None:
    profile = get_profile(profile_id)
    size, geometry = profile.size, profile.geometry
    if size.dpi and size.width_mm and size.height_mm:  # pixels agree with mm at the stated dpi
        assert abs(px(size.width_mm, size.dpi) - size.width_px) <= 0.02 * size.width_px
        assert abs(px(size.height_mm, size.dpi) - size.height_px) <= 0.02 * size.height_px
    for rule, limit in ((geometry.face_width, size.width_px),
                        (geometry.head_height, size.height_px),
                        (geometry.crown_margin, size.height_px),
                        (geometry.eye_line_from_bottom, size.height_px)):
        if rule is not None:
            assert 0 <= rule.target <= limit
    assert profile.file.formats and profile.name.zh and profile.name.en


def test_resident_id_profile_has_the_ga461_figures() -> None:
    profile = get_profile("cn-resident-id")
    assert (profile.size.width_px, profile.size.height_px, profile.size.dpi) == (358, 441, 350)
    assert (profile.size.width_mm, profile.size.height_mm) == (26, 32)
    assert profile.file.formats == (PhotoFormat.JPEG,) and profile.file.color_mode == "RGB"
    assert profile.background is not None and profile.background.color == (255, 255, 255)
    g = profile.geometry
    assert (g.face_width.min, g.face_width.max) == (207 - 14, 207 + 14)
    assert (g.crown_margin.min, g.crown_margin.max) == (7, 21)
    assert (g.eye_line_from_bottom.min, g.eye_line_from_bottom.max) == (207, None)
    assert not g.advisory


def test_passport_profile_follows_the_exit_entry_millimetres() -> None:
    profile = get_profile("cn-passport")
    assert (profile.size.width_px, profile.size.height_px) == (round(px(33, 300)),
                                                               round(px(48, 300)))
    head = profile.geometry.head_height
    assert abs(head.min - px(28, 300)) <= 1 and abs(head.max - px(33, 300)) <= 1
    crown = profile.geometry.crown_margin
    assert abs(crown.min - px(3, 300)) <= 1 and abs(crown.max - px(5, 300)) <= 1


def test_icao_profile_percentages() -> None:
    profile = get_profile("icao")
    height = profile.size.height_px
    assert (profile.size.width_px, height) == (round(px(35, 300)), round(px(45, 300)))
    head, eyes = profile.geometry.head_height, profile.geometry.eye_line_from_bottom
    assert abs(head.min - 0.70 * height) <= 1 and abs(head.max - 0.80 * height) <= 1
    assert abs(eyes.min - 0.50 * height) <= 1 and abs(eyes.max - 0.70 * height) <= 1
    assert profile.pose.max_roll and profile.pose.max_yaw and profile.pose.max_pitch


def test_us_visa_profile_percentages() -> None:
    profile = get_profile("us-visa")
    assert (profile.size.width_px, profile.size.height_px) == (600, 600)
    assert profile.size.max_scale == 2.0  # up to 1200 x 1200
    head, eyes = profile.geometry.head_height, profile.geometry.eye_line_from_bottom
    assert abs(head.min - 300) <= 1 and abs(head.max - 0.69 * 600) <= 1
    assert abs(eyes.min - 0.56 * 600) <= 1 and abs(eyes.max - 0.69 * 600) <= 1
    assert profile.file.max_kb == 240
    assert not profile.expression.mouth_closed  # a natural smile is allowed


@pytest.mark.parametrize(("profile_id", "size"), sorted(HIVISION_SIZES.items()))
def test_chinese_sizes_match_hivision_list(profile_id: str, size: tuple[int, int]) -> None:
    profile = get_profile(profile_id)
    assert (profile.size.width_px, profile.size.height_px) == size
    assert profile.geometry.advisory  # no issuer figures: geometry misses only warn


def test_range_semantics() -> None:
    closed = Range.model_validate([193, 221])
    assert closed.contains(193) and closed.contains(221) and not closed.contains(221.5)
    assert closed.target == 207 and closed.describe() == "193–221"
    low = Range.model_validate([207, None])
    assert low.contains(10_000) and not low.contains(206.9) and low.target > 207
    high = Range.model_validate([None, 21])
    assert high.contains(-5) and not high.contains(22) and high.target < 21
    assert low.describe() == "≥ 207" and high.describe() == "≤ 21"


# --- user profiles ---------------------------------------------------------------------------

USER_PROFILE = """
id: my-exam
name: {zh: 某考试, en: some exam}
size: {width_px: 300, height_px: 400, dpi: 300}
file: {formats: [jpeg, png], max_kb: 50}
background: {color: [67, 142, 219], tolerance: 8}
geometry: {face_width: [150, 190], center_tolerance: 15}
"""


def test_a_user_adds_a_profile_by_writing_a_file(tmp_path: Path) -> None:
    (tmp_path / "my-exam.yaml").write_text(USER_PROFILE, "utf-8")
    profiles = load_profiles(tmp_path)
    assert "my-exam" in profiles and "cn-resident-id" in profiles
    mine = profiles["my-exam"]
    assert mine.background is not None and mine.background.color == (67, 142, 219)
    assert mine.file.formats == (PhotoFormat.JPEG, PhotoFormat.PNG)
    assert mine.geometry.head_height is None and mine.pose.max_roll is None
    settings = Settings(_env_file=None, photo_profiles_dir=tmp_path)
    assert get_profile("my-exam", settings.photo_profiles_dir) == mine


def test_json_profiles_and_overriding_a_builtin(tmp_path: Path) -> None:
    raw = {"id": "cn-resident-id", "name": {"zh": "本地", "en": "local"},
           "size": {"width_px": 358, "height_px": 441, "dpi": 300}}
    (tmp_path / "local.json").write_text(json.dumps(raw), "utf-8")
    assert get_profile("cn-resident-id", tmp_path).size.dpi == 300
    assert get_profile("cn-resident-id").size.dpi == 350  # the built-in is not changed


def test_unknown_profile(tmp_path: Path) -> None:
    with pytest.raises(PhotoProfileError) as caught:
        get_profile("no-such-profile")
    assert caught.value.code is ErrorCode.PHOTO_PROFILE_NOT_FOUND
    assert "cn-resident-id" in caught.value.message_en


MALFORMED = {
    "syntax.yaml": "id: [unclosed\n",
    "list.yaml": "- just\n- a list\n",
    "typo.yaml": USER_PROFILE.replace("geometry:", "geometri:"),
    "types.yaml": USER_PROFILE.replace("width_px: 300", "width_px: wide"),
    "range.yaml": USER_PROFILE.replace("[150, 190]", "[190, 150]"),
    "triple.yaml": USER_PROFILE.replace("[150, 190]", "[150, 170, 190]"),
    "beyond.yaml": USER_PROFILE.replace("[150, 190]", "[350, 390]"),
    "colour.yaml": USER_PROFILE.replace("[67, 142, 219]", "[67, 142, 300]"),
    "format.yaml": USER_PROFILE.replace("[jpeg, png]", "[gif]"),
    "badid.yaml": USER_PROFILE.replace("id: my-exam", "id: My Exam!"),
    "broken.json": '{"id": "x",',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_profile_files_are_refused_with_their_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(MALFORMED[name], "utf-8")
    with pytest.raises(PhotoProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.code is ErrorCode.PHOTO_PROFILE_INVALID
    assert name in caught.value.message_en and name in caught.value.message_zh


def test_pydantic_problem_is_in_the_message(tmp_path: Path) -> None:
    (tmp_path / "typo.yaml").write_text(MALFORMED["typo.yaml"], "utf-8")
    with pytest.raises(PhotoProfileError) as caught:
        load_profiles(tmp_path)
    assert "geometri" in caught.value.message_en


def test_two_files_with_one_id_and_a_missing_directory(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(USER_PROFILE, "utf-8")
    (tmp_path / "b.yaml").write_text(USER_PROFILE, "utf-8")
    with pytest.raises(PhotoProfileError) as caught:
        load_profiles(tmp_path)
    assert caught.value.code is ErrorCode.PHOTO_PROFILE_INVALID and "a.yaml" in str(caught.value)
    with pytest.raises(PhotoProfileError) as missing:
        load_profiles(tmp_path / "nope")
    assert missing.value.code is ErrorCode.PHOTO_PROFILE_INVALID


def test_other_files_in_the_directory_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("not a profile", "utf-8")
    (tmp_path / "my-exam.yml").write_text(USER_PROFILE, "utf-8")
    assert "my-exam" in load_profiles(tmp_path)
