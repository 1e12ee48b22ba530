"""The message catalogue: every shipped message is complete; malformed files are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matching.text import LANGS, msg
from matching.text.catalogue import Catalogue, CatalogueError, _placeholders, catalogue


def test_every_shipped_message_has_three_forms_with_the_same_placeholders() -> None:
    messages = catalogue()
    assert len(messages) > 0
    for key, text in messages.items():
        forms = [text.get(lang) for lang in LANGS]
        assert all(form.strip() for form in forms), key
        assert len({_placeholders(form) for form in forms}) == 1, key


def test_keys_are_prefixed_by_file_and_nested_tables(tmp_path: Path) -> None:
    (tmp_path / "area.toml").write_text(
        '[a.b]\nkk = "сәлем {name}"\nru = "привет {name}"\nen = "hello {name}"\n',
        encoding="utf-8",
    )
    loaded = Catalogue.load(tmp_path)
    assert list(loaded) == ["area.a.b"]
    assert loaded["area.a.b"].format(name="Aru").en == "hello Aru"
    assert set(loaded.under("area.a")) == {"b"}


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('[x]\nkk = "а"\nru = "б"\n', "missing en"),
        ('[x]\nkk = "{n} а"\nru = "б"\nen = "c"\n', "different placeholders"),
        ('[x]\nkk = " "\nru = "б"\nen = "c"\n', "missing its kk form"),
        ("x = 3\n", "neither a message nor a table"),
        ("[x\n", "area.toml"),
    ],
)
def test_malformed_files_are_refused_with_the_key(
    tmp_path: Path, body: str, complaint: str
) -> None:
    (tmp_path / "area.toml").write_text(body, encoding="utf-8")
    with pytest.raises(CatalogueError, match=complaint):
        Catalogue.load(tmp_path)


def test_msg_fills_placeholders_and_unknown_keys_say_which() -> None:
    assert msg("common.language.kk").get("kk") == "Қазақша"
    with pytest.raises(KeyError, match="no.such.key"):
        msg("no.such.key")


HAND_BUILT = re.compile(r"\bText\(\s*kk\s*=")


def hand_built_texts(package: Path) -> list[str]:
    """``file:line`` of every ``Text(kk=…)`` literal under ``package`` outside its ``text/``."""
    return [
        f"{path.relative_to(package.parent)}:{source[: m.start()].count(chr(10)) + 1}"
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] != "text"
        for source in [path.read_text(encoding="utf-8")]
        for m in HAND_BUILT.finditer(source)
    ]


def test_no_hand_built_trilingual_texts_in_matching() -> None:
    """Texts a person reads come from the catalogue, not from kk/ru/en blocks in the code."""
    found = hand_built_texts(Path(__file__).resolve().parents[2] / "matching")
    assert not found, "move these texts to matching/text/messages/:\n" + "\n".join(found)


def test_the_scan_finds_a_hand_built_text(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "text").mkdir(parents=True)
    (tmp_path / "pkg" / "text" / "ok.py").write_text('T = Text(kk="а", ru="б", en="c")\n')
    (tmp_path / "pkg" / "bad.py").write_text('X = 1\nT = Text(\n    kk="а", ru="б", en="c")\n')
    assert hand_built_texts(tmp_path / "pkg") == ["pkg/bad.py:2"]
