"""SM2/SM3 (``signing.sm2``) against the openssl 3 command line, an independent implementation:
our signatures verify there and theirs here, with the default and other distinguishing IDs (the
Z value), keys cross both ways, and the encoding traps (raw r||s, short and high-bit r/s,
non-canonical DER) answer False rather than raise.

Note on OpenSSL 3.0's CLI: ``pkeyutl -rawin -digest sm3`` with no ``-pkeyopt distid:`` uses an
EMPTY ID, not GM/T 0009's 1234567812345678; the default must be passed explicitly."""

from __future__ import annotations

import string
import subprocess
from pathlib import Path

import pytest

from signing.sm2 import (
    SM2_DEFAULT_ID,
    SM2_N,
    Sm2PrivateKey,
    Sm2PublicKey,
    der_to_raw,
    raw_to_der,
    sm2_sign,
    sm2_verify,
    sm3,
)

MESSAGE = "电子证照 e-licence №42".encode() * 7
OTHER_ID = b"ALICE123@YAHOO.COM"


def openssl(*args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *args], capture_output=True, input=data, timeout=30)


@pytest.fixture(scope="module")
def openssl_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SM2 key made by openssl, PKCS#8 PEM."""
    path = tmp_path_factory.mktemp("sm2") / "key.pem"
    proc = openssl("genpkey", "-algorithm", "SM2", "-out", str(path))
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture(scope="module")
def our_key() -> Sm2PrivateKey:
    return Sm2PrivateKey.generate()


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def ossl_verify(tmp_path: Path, public: Sm2PublicKey, message: bytes, signature: bytes,
                distid: bytes | None) -> bool:
    args = ["pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pubin",
            "-inkey", write(tmp_path, "pub.pem", public.to_pem()),
            "-in", write(tmp_path, "msg.bin", message),
            "-sigfile", write(tmp_path, "sig.der", signature)]
    if distid is not None:
        args += ["-pkeyopt", "distid:" + distid.decode()]
    proc = openssl(*args)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode == 0


def ossl_sign(tmp_path: Path, key: Path, message: bytes, distid: bytes | None) -> bytes:
    args = ["pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-inkey", str(key),
            "-in", write(tmp_path, "msg.bin", message)]
    if distid is not None:
        args += ["-pkeyopt", "distid:" + distid.decode()]
    proc = openssl(*args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def ossl_public(key: Path) -> Sm2PublicKey:
    proc = openssl("pkey", "-in", str(key), "-pubout")
    assert proc.returncode == 0, proc.stderr
    return Sm2PublicKey.from_pem(proc.stdout)


def test_sm3_known_answers() -> None:
    # GB/T 32905-2016 Appendix A examples 1 and 2.
    assert sm3(b"abc").hex() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    assert sm3(b"abcd" * 16).hex() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")


@pytest.mark.parametrize("uid", [SM2_DEFAULT_ID, OTHER_ID], ids=["default-id", "other-id"])
def test_our_signature_verifies_in_openssl(our_key: Sm2PrivateKey, tmp_path: Path,
                                           uid: bytes) -> None:
    signature = sm2_sign(our_key, MESSAGE, uid)
    assert ossl_verify(tmp_path, our_key.public_key(), MESSAGE, signature, uid)
    # ... and only with that ID and message: the Z value is really in the signed digest.
    other = OTHER_ID if uid == SM2_DEFAULT_ID else SM2_DEFAULT_ID
    assert not ossl_verify(tmp_path, our_key.public_key(), MESSAGE, signature, other)
    assert not ossl_verify(tmp_path, our_key.public_key(), MESSAGE + b"!", signature, uid)


@pytest.mark.parametrize("uid", [SM2_DEFAULT_ID, OTHER_ID], ids=["default-id", "other-id"])
def test_openssl_signature_verifies_here(openssl_key: Path, tmp_path: Path, uid: bytes) -> None:
    public = ossl_public(openssl_key)
    signature = ossl_sign(tmp_path, openssl_key, MESSAGE, uid)
    assert sm2_verify(public, MESSAGE, signature, uid)
    other = OTHER_ID if uid == SM2_DEFAULT_ID else SM2_DEFAULT_ID
    assert not sm2_verify(public, MESSAGE, signature, other)


def test_openssl_cli_without_distid_uses_the_empty_id(openssl_key: Path, tmp_path: Path) -> None:
    """The trap: OpenSSL 3.0's pkeyutl defaults to an empty ID, so a signature it makes without
    ``distid`` verifies here only with ``uid=b""``, never with the GM/T default."""
    public = ossl_public(openssl_key)
    signature = ossl_sign(tmp_path, openssl_key, MESSAGE, None)
    assert sm2_verify(public, MESSAGE, signature, b"")
    assert not sm2_verify(public, MESSAGE, signature)


def test_openssl_key_loads_and_ours_passes_openssl_check(openssl_key: Path, our_key: Sm2PrivateKey,
                                                         tmp_path: Path) -> None:
    theirs = Sm2PrivateKey.from_pem(openssl_key.read_bytes())
    assert theirs.public_key() == ossl_public(openssl_key)
    ours = write(tmp_path, "ours.pem", our_key.to_pem())
    check = openssl("pkey", "-in", ours, "-noout", "-check")
    assert check.returncode == 0, check.stderr
    assert ossl_public(Path(ours)) == our_key.public_key()
    spki = openssl("pkey", "-in", ours, "-pubout", "-outform", "DER")
    assert spki.stdout == our_key.public_key().to_der()
    # openssl's signature with our key verifies with our public key, both IDs.
    for uid in (SM2_DEFAULT_ID, OTHER_ID):
        signature = ossl_sign(tmp_path, Path(ours), MESSAGE, uid)
        assert sm2_verify(our_key.public_key(), MESSAGE, signature, uid)


def test_other_curves_and_tampered_keys_are_refused(tmp_path: Path,
                                                    our_key: Sm2PrivateKey) -> None:
    p256 = openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
    with pytest.raises(ValueError):
        Sm2PrivateKey.from_pem(p256.stdout)
    p256_pub = openssl("pkey", "-pubout", data=p256.stdout).stdout
    with pytest.raises(ValueError):
        Sm2PublicKey.from_pem(p256_pub)
    raw = bytearray(our_key.public_key().raw)
    raw[-1] ^= 1
    with pytest.raises(ValueError, match="curve"):
        Sm2PublicKey.from_raw(bytes(raw))
    spki = our_key.public_key().to_der()
    with pytest.raises(ValueError, match="curve"):  # the same point damage inside an SPKI
        Sm2PublicKey.from_der(spki[:-65] + bytes(raw))
    with pytest.raises(ValueError):
        Sm2PublicKey.from_der(spki + b"\x00")
    # a PKCS#8 whose stored public point is not d·G
    other = Sm2PrivateKey.generate()
    mixed = our_key.to_der().replace(our_key.public_key().raw, other.public_key().raw)
    with pytest.raises(ValueError, match="does not belong"):
        Sm2PrivateKey.from_der(mixed)


def test_raw_signature_is_refused_until_converted(our_key: Sm2PrivateKey, tmp_path: Path) -> None:
    signature = sm2_sign(our_key, MESSAGE)
    raw = der_to_raw(signature)
    assert len(raw) == 64
    assert not sm2_verify(our_key.public_key(), MESSAGE, raw)
    assert raw_to_der(raw) == signature
    assert sm2_verify(our_key.public_key(), MESSAGE, raw_to_der(raw))
    # openssl refuses the raw form too: it is not an interop encoding
    assert not ossl_verify(tmp_path, our_key.public_key(), MESSAGE, raw, SM2_DEFAULT_ID)


def test_short_and_high_bit_r_s_round_trip(our_key: Sm2PrivateKey, tmp_path: Path) -> None:
    """DER integers take a leading 0x00 when the top bit is set (33 bytes) and drop leading zero
    bytes (31 or fewer): the raw form is always 32+32, and both forms verify everywhere."""
    high_bit = short = None
    for _ in range(3000):
        signature = sm2_sign(our_key, MESSAGE)
        r_len, s_len = signature[3], signature[5 + signature[3]]
        if high_bit is None and r_len == 33 and s_len == 33:
            high_bit = signature
        if short is None and (r_len < 32 or s_len < 32):
            short = signature
        if high_bit and short:
            break
    assert high_bit is not None and short is not None
    for signature in (high_bit, short):
        raw = der_to_raw(signature)
        assert len(raw) == 64
        assert raw_to_der(raw) == signature
        assert sm2_verify(our_key.public_key(), MESSAGE, signature)
        assert ossl_verify(tmp_path, our_key.public_key(), MESSAGE, signature, SM2_DEFAULT_ID)


def test_non_canonical_der_is_refused(our_key: Sm2PrivateKey) -> None:
    public = our_key.public_key()
    signature = sm2_sign(our_key, MESSAGE)
    r, s = (int.from_bytes(der_to_raw(signature)[i:i + 32], "big") for i in (0, 32))

    def integer(value: int, pad: bytes = b"") -> bytes:
        body = pad + value.to_bytes((value.bit_length() + 8) // 8, "big")
        return b"\x02" + bytes([len(body)]) + body

    def sequence(body: bytes, long_form: bool = False) -> bytes:
        return (b"\x30\x81" if long_form else b"\x30") + bytes([len(body)]) + body

    assert sequence(integer(r) + integer(s)) == signature  # the helper builds DER right
    assert not sm2_verify(public, MESSAGE, sequence(integer(r, b"\x00") + integer(s)))
    assert not sm2_verify(public, MESSAGE, sequence(integer(r) + integer(s), long_form=True))
    assert not sm2_verify(public, MESSAGE, signature + b"\x00")
    assert not sm2_verify(public, MESSAGE, sequence(integer(r) + integer(s + SM2_N)))
    assert not sm2_verify(public, MESSAGE, sequence(integer(0) + integer(s)))
    # a negative INTEGER (top bit set, no 0x00): the same magnitude bytes as a high-bit r
    high = r | (1 << 255)
    negative = b"\x02\x20" + high.to_bytes(32, "big")
    assert not sm2_verify(public, MESSAGE, sequence(negative + integer(s)))
    # an INTEGER with a long-form length, a third element, a wrong tag
    long_int = b"\x02\x81" + integer(r)[1:]
    assert not sm2_verify(public, MESSAGE, sequence(long_int + integer(s)))
    assert not sm2_verify(public, MESSAGE, sequence(integer(r) + integer(s) + integer(1)))
    assert not sm2_verify(public, MESSAGE, sequence(b"\x03" + integer(r)[1:] + integer(s)))
    assert not sm2_verify(public, MESSAGE, b"\x31" + signature[1:])


def test_wrong_key_flipped_bytes_and_garbage_are_false(our_key: Sm2PrivateKey) -> None:
    public = our_key.public_key()
    signature = sm2_sign(our_key, MESSAGE)
    assert sm2_verify(public, MESSAGE, signature)
    assert not sm2_verify(Sm2PrivateKey.generate().public_key(), MESSAGE, signature)
    for i in range(len(signature)):
        flipped = bytearray(signature)
        flipped[i] ^= 0x01
        assert not sm2_verify(public, MESSAGE, bytes(flipped)), i
    changed = bytearray(MESSAGE)
    changed[0] ^= 0x80
    assert not sm2_verify(public, bytes(changed), signature)
    for garbage in (b"", b"\x30", b"\x30\x00", b"\x00" * 72, b"\xff" * 1000, bytes(range(70)),
                    b"\x30\x06\x02\x01\x01\x02\x01\x01"):
        assert sm2_verify(public, MESSAGE, garbage) is False
    assert sm2_verify(public, MESSAGE, signature, b"x" * 9000) is False
    with pytest.raises(ValueError):
        der_to_raw(b"garbage")
    with pytest.raises(ValueError):
        raw_to_der(b"\x00" * 63)


@pytest.mark.parametrize("length", [1, 15, 17, 64, 200, 1000])
def test_ids_of_other_lengths_agree_with_openssl(our_key: Sm2PrivateKey, openssl_key: Path,
                                                 tmp_path: Path, length: int) -> None:
    """ENTL is the ID's length in bits over two bytes: IDs shorter and longer than the default
    (and past one byte of bits) give the same Z on both sides."""
    uid = (string.ascii_letters * 20)[7:7 + length].encode()
    assert len(uid) == length
    ours = sm2_sign(our_key, MESSAGE, uid)
    assert ossl_verify(tmp_path, our_key.public_key(), MESSAGE, ours, uid)
    theirs = ossl_sign(tmp_path, openssl_key, MESSAGE, uid)
    assert sm2_verify(ossl_public(openssl_key), MESSAGE, theirs, uid)
    assert not sm2_verify(ossl_public(openssl_key), MESSAGE, theirs, uid[:-1])
