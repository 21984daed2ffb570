"""A studio on --studios that fails to load is not silently replaced by the bundled one with the
same name (review of issue 14: `new --studio software --studios <real studios>` opened the intent on
the bundled software studio when the real one was incomplete, and said nothing)."""

from __future__ import annotations

import pytest

from cockpit.errors import NotFound
from cockpit.sources.studios import BUNDLED, load_catalog


def _broken_software(root):
    folder = root / "software"
    folder.mkdir(parents=True)
    (folder / "STUDIO.md").write_text("---\nname: software\nstages: [build]\n---\n# Software\n")
    return folder


def test_a_broken_studio_on_studios_is_named_not_replaced_by_the_bundled_one(tmp_path):
    _broken_software(tmp_path / "real")
    catalog = load_catalog([tmp_path / "real"], cache=False, project=None)
    with pytest.raises(NotFound, match=r"studio 'software' failed to load: .*real/software/STUDIO\.md:\d+"):
        catalog.get("software")


def test_a_folder_of_that_name_above_the_studios_does_not_count(tmp_path):
    """Only a failed *studio folder* of that name blocks it, not a path passing through one."""
    root = tmp_path / "software" / "studios"
    (root / "other").mkdir(parents=True)
    (root / "other" / "STUDIO.md").write_text("---\nname: other\nstages: [nope]\n---\n")
    catalog = load_catalog([root], cache=False, project=None)
    assert catalog.problems  # `other` is broken, under a folder called software
    assert catalog.get("software").source == BUNDLED


def test_a_broken_studio_holds_its_aliases_too(tmp_path):
    """Looking a broken real studio up by an alias it declares (appdev) fell back to the bundled
    studio that also answers to it: the ids come from its STUDIO.md even when its stages fail."""
    folder = tmp_path / "real" / "application-development"
    folder.mkdir(parents=True)
    (folder / "STUDIO.md").write_text(
        "---\nname: application-development\nslug: appdev\naliases: [software]\nstages: [build]\n---\n"
    )
    catalog = load_catalog([tmp_path / "real"], cache=False, project=None)
    for ident in ("application-development", "APPDEV", "software"):
        with pytest.raises(NotFound, match=r"failed to load: .*application-development/STUDIO\.md"):
            catalog.get(ident)
    assert catalog.get("incident-response").source == BUNDLED  # the others still resolve


def test_a_broken_bundled_name_does_not_block_a_later_folder_that_loads(tmp_path):
    """Precedence holds: a studio that loads from a later folder wins the id over an earlier broken one."""
    _broken_software(tmp_path / "early")
    good = tmp_path / "late" / "software"
    good.mkdir(parents=True)
    stage = good / "stages" / "build"
    (stage / "hats").mkdir(parents=True)
    (good / "STUDIO.md").write_text("---\nname: software\nstages: [build]\n---\n# Software\n")
    (stage / "STAGE.md").write_text("---\nname: build\nhats: [builder]\nreview: auto\n---\n")
    (stage / "hats" / "builder.md").write_text("---\nname: builder\n---\n# Builder\n")
    catalog = load_catalog([tmp_path / "early", tmp_path / "late"], cache=False, project=None)
    assert catalog.get("software").path == str(good)
