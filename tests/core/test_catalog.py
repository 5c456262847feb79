"""The class catalog bundled with the core (ovavel/data/classes.csv): 67 classes, 46 seen and 21
unseen over five groups, the VGGSound labels they come from; a catalog file's problems named."""

from __future__ import annotations

from collections import Counter

import pytest

from ovavel.catalog import GROUPS, load_catalog
from ovavel.errors import OvavelError

from ..conftest import REPO


def test_bundled_catalog_shape():
    cat = load_catalog()
    assert len(cat) == 67
    assert Counter(c.split for c in cat) == {"seen": 46, "unseen": 21}
    assert [sum(c.group == g for c in cat) for g in GROUPS] == [17, 15, 17, 9, 9]
    for g in GROUPS:  # every group holds unseen classes
        assert any(c.group == g and c.split == "unseen" for c in cat)
    renamed = {c.name: c.vggsound_label for c in cat if c.name != c.vggsound_label}
    assert len(renamed) == 8
    assert renamed["bird chirping"] == "bird chirping, tweeting"
    assert all(label.split(",")[0] == name for name, label in renamed.items())
    assert (REPO / "classes.txt").read_text().splitlines() == cat.names


def test_a_catalog_files_problems_name_the_file_and_line(tmp_path):
    path = tmp_path / "classes.csv"
    header = "name,vggsound_label,group,split\n"
    path.write_text(header + "dog barking,dog barking,animal,seen\ncat purring,cat purring,animal,maybe\n")
    with pytest.raises(OvavelError, match=r"classes\.csv.*line 3.*split must be one of .*'maybe'"):
        load_catalog(path)
    path.write_text(header + "dog barking,dog barking,animal,seen\ndog barking,dog barking,animal,unseen\n")
    with pytest.raises(OvavelError, match="duplicate class name 'dog barking'"):
        load_catalog(path)
    path.write_text(header + "other,other,animal,seen\n")
    with pytest.raises(OvavelError, match="'other' cannot be a class name"):
        load_catalog(path)
    with pytest.raises(OvavelError, match=r"unknown class 'dog barkng'.*closest known: 'dog barking'"):
        load_catalog().get("dog barkng")
