"""A tuned copy of knowledge/data, as a maintainer would make one to try a number."""

import shutil
from pathlib import Path

import yaml

from hipscreen.knowledge.catalogue import DATA_DIR


def tuned_copy(tmp_path: Path, name: str, entry: str, **values) -> Path:
    """tmp_path/data, a copy of knowledge/data (made once) with one entry of one file changed."""
    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(DATA_DIR, data)
    path = data / f"{name}.yaml"
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    content[entry].update(values)
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return data
