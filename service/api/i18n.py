"""The request's languages: `?lang=`, else `Accept-Language`, else zh then en."""

from __future__ import annotations

LANGUAGES = ("zh", "en")
DEFAULT = ("zh", "en")


def _parse(value: str) -> tuple[str, ...]:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(value.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, index, primary))
    return tuple(dict.fromkeys(lang for _, _, lang in sorted(ranked)))


def languages(query: str | None, accept: str | None) -> tuple[str, ...]:
    for source in (query, accept):
        if source:
            found = _parse(source)
            if found:
                return found
    return DEFAULT


def pick(texts: dict[str, str], langs: tuple[str, ...]) -> str:
    return texts[langs[0]]
