"""Parameter selection (docs/rule-format.md section 6.4): keys, via mappings, validity dates,
most-specific row, ambiguity, national vs zone, defaults.

``Parameter.resolve(vals)`` (zone, date and key facts taken from ``vals``) returns
``(status, value, info)``:

- ``(OK, value, (side, source))``           side is "national", "zone" or "default"
- ``(MISSING_KEY, None, [key fact paths])`` a key fact is missing
- ``(AMBIGUOUS, None, [key fact paths])``   the (industry) code is too short to decide
- ``(NO_VALUE, None, None)``                no value in force (reason ``no_threshold``)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import product

OK = 0
MISSING_KEY = 1
AMBIGUOUS = 2
NO_VALUE = 3

_DATE_MAX = dt.date.max
_NOVAL = object()

# Bound on the per-parameter memo of full resolutions (a pure function of zone, date, key texts).
_MEMO_LIMIT = 65536


def key_text(value: object) -> str:
    """The text form of a key fact's value, as compared with table cells (spec 6.4 step 1)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    raise ValueError(f"cannot use {value!r} as a key value")


def cell_text(raw: object) -> str:
    """A key cell from a CSV (already text) or a zone profile (YAML may give ints / bools)."""
    if raw is None:
        raise ValueError("empty key cell (use * to match anything)")
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (int, str)):
        text = str(raw).strip()
        if not text:
            raise ValueError("empty key cell (use * to match anything)")
        return text
    raise ValueError(f"bad key cell {raw!r}")


class Mapping:
    """A `via` mapping table (from -> to), e.g. GB/T 4754-2017 -> 2002 industry codes.

    Prefix keys (spec 6.4 step 1): the mapped codes are the targets of the longest mapping cell that
    is a prefix of the code, plus the targets of every mapping cell that extends the code.
    Exact keys: the targets of the mapping cells equal to the code.
    """

    def __init__(self, pairs: list[tuple[str, str]], prefix: bool):
        self.prefix = prefix
        self.by_from: dict[str, list[str]] = {}
        for src, dst in pairs:
            targets = self.by_from.setdefault(src, [])
            if dst not in targets:
                targets.append(dst)
        self._memo: dict[str, tuple[str, ...]] = {}

    def mapped(self, code: str) -> tuple[str, ...]:
        hit = self._memo.get(code)
        if hit is not None:
            return hit
        targets: set[str] = set()
        if not self.prefix:
            targets.update(self.by_from.get(code, ()))
        else:
            for length in range(len(code), 0, -1):  # longest mapping cell that is a prefix
                found = self.by_from.get(code[:length])
                if found:
                    targets.update(found)
                    break
            for src, dsts in self.by_from.items():  # every mapping cell that extends the code
                if len(src) > len(code) and src.startswith(code):
                    targets.update(dsts)
        result = tuple(sorted(targets))
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
        self._memo[code] = result
        return result


class Key:
    __slots__ = ("name", "fact", "prefix", "mapping")

    def __init__(self, name: str, fact: str, prefix: bool, mapping: Mapping | None):
        self.name = name
        self.fact = fact
        self.prefix = prefix
        self.mapping = mapping


class Row:
    """One table / inline / zone row, value already converted to the parameter's unit."""

    __slots__ = ("cells", "value", "valid_from", "valid_to", "source", "side")

    def __init__(self, cells, value, valid_from, valid_to, source, side):
        self.cells: tuple[str, ...] = cells
        self.value = value
        self.valid_from: dt.date = valid_from
        self.valid_to: dt.date = valid_to if valid_to is not None else _DATE_MAX
        self.source: str | None = source
        self.side: str = side

    def in_force(self, date: dt.date) -> bool:
        return self.valid_from <= date <= self.valid_to


class Parameter:
    def __init__(
        self,
        name: str,
        unit: str,
        stricter: str | None,
        keys: list[Key],
        national_rows: list[Row],
        default: tuple[object, dt.date | None, dt.date | None, str | None] | None,
    ):
        self.name = name
        self.unit = unit
        self.numeric = unit not in ("boolean", "text")
        self.stricter = stricter
        self.keys = keys
        self.national_rows = national_rows
        self.zone_rows: dict[str, list[Row]] = {}
        self.default = default
        self._candidates: dict[tuple, tuple] = {}
        self.key_facts = tuple(dict.fromkeys(k.fact for k in keys))

    # -- load-time checks ---------------------------------------------------------------------

    @staticmethod
    def check_overlaps(rows: list[Row], where: str) -> None:
        """Rows with the same key cells must not be in force on the same day (else the value in
        force would be undefined)."""
        groups: dict[tuple[str, ...], list[Row]] = {}
        for row in rows:
            groups.setdefault(row.cells, []).append(row)
        for cells, group in groups.items():
            group = sorted(group, key=lambda r: r.valid_from)
            for a, b in zip(group, group[1:]):
                if b.valid_from <= a.valid_to:
                    raise ValueError(
                        f"{where}: rows for keys {list(cells)} overlap in validity "
                        f"({a.valid_from}..{a.valid_to} and {b.valid_from}..{b.valid_to})"
                    )

    # -- resolution ----------------------------------------------------------------------------

    def resolve(self, vals: dict) -> tuple:
        """The parameter for one evaluation's values. Results are memoised in ``vals["@memo"]``,
        a dict shared by every evaluation with the same zone and screening date (the selection
        is a pure function of zone, date and the key facts' texts)."""
        memo = vals["@memo"]
        keys = self.keys
        if not keys:
            hit = memo.get(self.name)
            if hit is None:
                hit = memo[self.name] = self._resolve(vals["@zone"], vals["@date"], ())
            return hit
        if len(keys) == 1:
            fact = keys[0].fact
            x = vals[fact]
            if x is None:
                return (MISSING_KEY, None, [fact])
            texts = (x if type(x) is str else key_text(x),)
        else:
            texts = []
            missing = None
            for key in keys:
                x = vals[key.fact]
                if x is None:
                    if missing is None:
                        missing = []
                    if key.fact not in missing:
                        missing.append(key.fact)
                elif missing is None:
                    texts.append(x if type(x) is str else key_text(x))
            if missing is not None:
                return (MISSING_KEY, None, missing)
            texts = tuple(texts)
        memo_key = (self.name, texts)
        hit = memo.get(memo_key)
        if hit is None:
            hit = memo[memo_key] = self._resolve(vals["@zone"], vals["@date"], texts)
        return hit

    def _default_at(self, date: dt.date):
        d = self.default
        if d is None:
            return _NOVAL
        value, vfrom, vto, _source = d
        if (vfrom is None or vfrom <= date) and (vto is None or date <= vto):
            return value
        return _NOVAL

    def _resolve(self, zone_id: str, date: dt.date, texts: tuple[str, ...]) -> tuple:
        # Step 1: the codes to look up per key: the key fact's text, or what `via` maps it to.
        lookups: list[tuple] = []
        for i, key in enumerate(self.keys):
            if key.mapping is not None:
                mapped = key.mapping.mapped(texts[i])
                # Spec 6.4 step 5: a via mapping that maps the code to nothing is not a missing
                # fact: only a "*" cell matches such a code (national or zone), so without one
                # there is no row (then the default, or no value in force).
                lookups.append(mapped if mapped else (None,))
            else:
                lookups.append((texts[i],))
        dflt = self._default_at(date)
        # Step 4: national and zone values are selected separately, the same way.
        nat, amb_n = self._side("", self.national_rows, lookups, date, dflt)
        zone_rows = self.zone_rows.get(zone_id)
        if zone_rows:
            zon, amb_z = self._side(zone_id, zone_rows, lookups, date, dflt)
        else:
            zon, amb_z = None, ()
        if amb_n or amb_z:
            # AMBIGUITY RESOLVED: an ambiguous code on either side makes the parameter missing,
            # naming the fact of the key(s) responsible (project.industry_code for industry
            # keys; an exact key mapped through `via` to several values names its own fact).
            idx = sorted(set(amb_n) | set(amb_z))
            return (AMBIGUOUS, None, list(dict.fromkeys(self.keys[i].fact for i in idx)))
        if nat is not None and zon is not None:
            if not self.numeric:
                chosen = zon  # boolean / text: a zone value replaces the national one
            elif self.stricter == "higher":
                chosen = zon if zon.value > nat.value else nat  # a tie goes to national
            else:
                chosen = zon if zon.value < nat.value else nat
        elif nat is not None:
            chosen = nat
        elif zon is not None:
            chosen = zon
        else:
            # Step 5: no row in force on either side: the default if in force, else no value.
            if dflt is _NOVAL:
                return (NO_VALUE, None, None)
            return (OK, dflt, ("default", self.default[3]))
        return (OK, chosen.value, (chosen.side, chosen.source))

    def _candidates_for(self, side: str, rows: list[Row], codes: tuple) -> tuple:
        """Date-independent: matching rows (most specific first) and rows that extend a prefix
        key's code, each with the indices of the keys it extends. A code of None (a via mapping
        that gave nothing) is matched only by "*"."""
        memo_key = (side, codes)
        hit = self._candidates.get(memo_key)
        if hit is not None:
            return hit
        matching = []
        extending = []
        keys = self.keys
        for row in rows:
            spec = []
            ext = []
            ok = True
            for i, cell in enumerate(row.cells):
                code = codes[i]
                if cell == "*":
                    spec.append(-1)  # "*" is less specific than any other cell
                elif code is None:
                    ok = False
                    break
                elif keys[i].prefix:
                    if code.startswith(cell):
                        spec.append(len(cell))
                    elif len(cell) > len(code) and cell.startswith(code):
                        ext.append(i)
                        spec.append(len(code))
                    else:
                        ok = False
                        break
                elif cell == code:
                    spec.append(1)
                else:
                    ok = False
                    break
            if not ok:
                continue
            if ext:
                extending.append((row, tuple(ext)))
            else:
                matching.append((tuple(spec), row))
        # AMBIGUITY RESOLVED: with several keys, rows are ranked by specificity key by key in the
        # parameter's declared key order (lexicographic): the first key is the most important.
        # Equal rank implies identical cells (two different cells of one key cannot both match
        # one code with the same length), whose validity periods may not overlap (load check).
        matching.sort(key=lambda t: t[0], reverse=True)  # stable
        result = (tuple(r for _s, r in matching), tuple(extending))
        if len(self._candidates) > _MEMO_LIMIT:
            self._candidates.clear()
        self._candidates[memo_key] = result
        return result

    def _side(self, side: str, rows: list[Row], lookups: list[tuple], date: dt.date, dflt):
        """Spec 6.4 steps 2-3 for one side. Returns (row in force or None, ambiguous key indices).

        For every combination of looked-up codes (several only with `via`), the outcome is the
        most specific row in force (or, without one, the default, or "no value"); every row in
        force that *extends* a prefix key's code is a possible outcome too. All outcomes must be
        equal, else the key is ambiguous.

        AMBIGUITY RESOLVED: "no value" counts as an outcome like a value: with no matching row,
        no default, and a row that extends the code, the code is ambiguous (a longer code would
        decide whether there is a threshold), rather than silently "no value in force"."""
        multi = [i for i, codes in enumerate(lookups) if len(codes) > 1]
        first_row = None
        reference = _UNSEEN
        amb: set[int] = set()
        for codes in (product(*lookups) if multi else (tuple(c[0] for c in lookups),)):
            matching, extending = self._candidates_for(side, rows, codes)
            chosen = None
            for row in matching:
                if row.valid_from <= date <= row.valid_to:
                    chosen = row
                    break
            outcome = chosen.value if chosen is not None else dflt
            if reference is _UNSEEN:
                reference = outcome
                first_row = chosen
            elif not _same(outcome, reference):
                amb.update(multi)  # the mapped codes disagree
            for row, ext in extending:
                if row.valid_from <= date <= row.valid_to and not _same(row.value, reference):
                    amb.update(ext)
        if amb:
            return None, tuple(sorted(amb))
        return first_row, ()


_UNSEEN = object()


def _same(a: object, b: object) -> bool:
    """Equal outcomes: both "no value" (_NOVAL), or equal values of the same kind."""
    if a is _NOVAL or b is _NOVAL:
        return a is b
    return type(a) is type(b) and a == b
