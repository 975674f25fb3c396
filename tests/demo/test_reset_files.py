"""``zhifa demo --reset`` rebuilds the embedded database; the stored files of the old one (issued
documents, evidence, the Parquet archive) go with it, and only when that database is the one in
``var/`` whose files they are."""

from __future__ import annotations

from pathlib import Path

from zhifa.demo.load import STORED_FILES, _drop_stored_files


def _stored(var: Path) -> list[Path]:
    files = []
    for name in STORED_FILES:
        f = var / name / "ab" / "cd.bin"
        f.parent.mkdir(parents=True)
        f.write_bytes(b"x")
        files.append(f)
    return files


def test_the_embedded_demo_takes_its_files_along(tmp_path: Path) -> None:
    var = tmp_path / "var"
    files = _stored(var)
    (var / "demo-data").mkdir()
    (var / "secret.key").write_text("k")
    _drop_stored_files(var / "zhifa.db", var)
    assert not any(f.exists() for f in files)
    assert not any((var / name).exists() for name in STORED_FILES)
    assert (var / "demo-data").is_dir() and (var / "secret.key").exists()  # the rest stays


def test_a_database_elsewhere_leaves_var_alone(tmp_path: Path) -> None:
    var = tmp_path / "var"
    files = _stored(var)
    _drop_stored_files(tmp_path / "elsewhere" / "demo.db", var)
    assert all(f.exists() for f in files)
    _drop_stored_files(var / "nothing-here" / "zhifa.db", var)  # a folder below var/ is not var/
    assert all(f.exists() for f in files)
