import pytest

from bot import callbacks


def test_pack_and_unpack_round_trip() -> None:
    data = callbacks.pack("lang", "uz")
    assert data == "lang:v1:uz"
    assert callbacks.unpack(data, "lang", 1) == ("uz",)


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "lang",
        "lang:v1",
        "lang:v2:uz",
        "lang:v1:uz:extra",
        "other:v1:uz",
        "lang:v1:<b>",
        "lang:v1:" + "x" * 60,
        "lang:v1:uz\x00",
    ],
)
def test_forged_or_truncated_data_is_refused(forged: str | None) -> None:
    with pytest.raises(callbacks.CallbackDataError):
        callbacks.unpack(forged, "lang", 1)


def test_building_data_over_telegrams_limit_fails_loudly() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        callbacks.pack("report", *(["abcdefghij"] * 6))


def test_parts_must_be_plain_identifiers() -> None:
    with pytest.raises(ValueError, match="identifier"):
        callbacks.pack("lang", "a:b")
