#!/usr/bin/env python3
"""Generate the six-language (ar, zh, en, fr, ru, es) reference data in seed/i18n/.

Outputs (UTF-8, ensure_ascii=False, indent 2, keys sorted, trailing newline):

  sdgs.json       {"1": {"ar": ..., "en": "No poverty", ...}, ...}   SDG short titles
  sdg_goals.json  same shape                                          SDG full goal titles
  countries.json  {"ABW": {"ar": ..., "en": "Aruba", ...}, ...}       ISO 3166-1 names

Sources (nothing is typed by hand):

  * SDG titles: open-sdg/sdg-translations, translations/<lang>/global_goals.yml,
    read from the copies saved under sources/open-sdg/ (see MANIFEST.json there
    for repository, path and commit of each copy). zh-Hans is served as "zh".
  * Country names: Debian's iso-codes package (apt-get install iso-codes):
    /usr/share/iso-codes/json/iso_3166-1.json for the codes and English `name`,
    and the gettext catalogues /usr/share/locale/<ll>/LC_MESSAGES/iso_3166-1.mo
    for ar, zh_CN (served as "zh"), fr, ru, es. Where a catalogue has no
    translation, the English name is recorded and the gap is reported.

Text is normalised mechanically: Unicode NFC, runs of white space (including the
line breaks of folded YAML scalars) collapsed to one space, leading/trailing
space stripped. No value is altered otherwise.

Usage:
  python3 seed/i18n/generate.py           # write the three JSON files
  python3 seed/i18n/generate.py --check   # exit 1 if the files on disk differ
Requires PyYAML (pip install pyyaml, or apt-get install python3-yaml) and the
iso-codes Debian package.
"""

import argparse
import gettext
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OPEN_SDG_DIR = os.path.join(HERE, "sources", "open-sdg")
ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
LOCALE_DIR = "/usr/share/locale"
ISO_DOMAIN = "iso_3166-1"
# Version of iso-codes the committed countries.json was generated from.
EXPECTED_ISO_CODES_VERSION = "4.15.0-1"

LANGS = ["ar", "en", "es", "fr", "ru", "zh"]
# served code -> open-sdg directory name
OPEN_SDG_LANG = {"ar": "ar", "en": "en", "es": "es", "fr": "fr", "ru": "ru", "zh": "zh-Hans"}
# served code -> gettext catalogue (None: the English source text itself)
ISO_LOCALE = {"ar": "ar", "en": None, "es": "es", "fr": "fr", "ru": "ru", "zh": "zh_CN"}
GOALS = [str(n) for n in range(1, 18)]

# Key formats seen across the history of global_goals.yml:
#   nested  {'1': {'short': ..., 'title': ...}}
#   dotted  {'1.short': ..., '1.title': ...}
#   dashed  {'1-short': ..., '1-title': ...}   (current flat form)
FLAT_KEY = re.compile(r"^(\d+)[.-](short|title)$")


def fail(msg):
    print("ERROR: " + msg, file=sys.stderr)
    sys.exit(1)


def clean(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip()


def load_yaml(text):
    try:
        import yaml
    except ImportError:
        fail("PyYAML is required: pip install pyyaml (or apt-get install python3-yaml)")
    return yaml.safe_load(text)


def flatten_goals(data, where):
    """Return {'1': {'short': str|None, 'title': str|None}, ...} from any key format."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):  # nested
            goal = str(key)
            for field in ("short", "title"):
                if field in value:
                    out.setdefault(goal, {})[field] = value[field]
        else:  # dotted or dashed
            m = FLAT_KEY.match(str(key))
            if not m:
                fail("%s: unexpected key %r" % (where, key))
            out.setdefault(m.group(1), {})[m.group(2)] = value
    return out


def read_manifest():
    with open(os.path.join(OPEN_SDG_DIR, "MANIFEST.json"), encoding="utf-8") as f:
        return json.load(f)


def verify_saved_copy(entry):
    path = os.path.join(OPEN_SDG_DIR, entry["file"])
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != entry["sha256_saved"]:
        fail("%s: sha256 %s does not match MANIFEST.json (%s); the saved copy was changed"
             % (entry["file"], digest, entry["sha256_saved"]))
    # The original may mix precomposed and decomposed characters: its length
    # must lie between the NFC and the NFD length of the saved text.
    lo = len(unicodedata.normalize("NFC", text))
    hi = len(unicodedata.normalize("NFD", text))
    if not lo <= entry["total_chars_reported"] <= hi:
        fail("%s: reported length %d outside [%d, %d]"
             % (entry["file"], entry["total_chars_reported"], lo, hi))
    return text


def build_sdgs(manifest):
    by_dir = {e["file"].split("/")[0]: e for e in manifest["files"] if e["file"].endswith(".yml")}
    shorts = {g: {} for g in GOALS}
    titles = {g: {} for g in GOALS}
    flat_by_lang = {}
    for lang in LANGS:
        entry = by_dir.get(OPEN_SDG_LANG[lang])
        if entry is None:
            fail("no saved open-sdg copy for %s in MANIFEST.json" % lang)
        text = verify_saved_copy(entry)
        goals = flatten_goals(load_yaml(text), entry["file"])
        flat_by_lang[OPEN_SDG_LANG[lang]] = goals
        for g in GOALS:
            short = goals.get(g, {}).get("short")
            title = goals.get(g, {}).get("title")
            if not short or not clean(short):
                fail("%s: goal %s has no short title" % (entry["file"], g))
            if not title or not clean(title):
                fail("%s: goal %s has no title" % (entry["file"], g))
            shorts[g][lang] = clean(short)
            titles[g][lang] = clean(title)
        extra = sorted(set(goals) - set(GOALS), key=int)
        if extra:
            fail("%s: unexpected goals %s" % (entry["file"], extra))
        print("open-sdg %-8s %s@%s (%s keys)"
              % (lang, entry["path"], entry["commit"][:12], entry.get("key_format", "?")))

    # Cross-check against the independent excerpt of translations.json.
    cc_meta = manifest.get("crosscheck")
    if cc_meta:
        with open(os.path.join(OPEN_SDG_DIR, cc_meta["file"]), encoding="utf-8") as f:
            cc = json.load(f)
        n = 0
        for d, values in cc.items():
            if d.startswith("_"):
                continue
            for key, expected in values.items():
                m = FLAT_KEY.match(key)
                got = flat_by_lang[d].get(m.group(1), {}).get(m.group(2))
                if clean(expected) != clean(got or ""):
                    fail("cross-check %s %s: %r != %r" % (d, key, clean(expected), clean(got or "")))
                n += 1
        print("cross-check: %d values agree with %s@%s"
              % (n, cc_meta["path"], cc_meta["commit"][:12]))
    return shorts, titles


def iso_codes_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "iso-codes"],
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


class _Missed(gettext.NullTranslations):
    """Fallback that records every message the catalogue did not translate."""

    def __init__(self):
        super().__init__()
        self.missed = set()

    def gettext(self, message):
        self.missed.add(message)
        return message


def build_countries():
    if not os.path.exists(ISO_JSON):
        fail("%s not found: apt-get install iso-codes" % ISO_JSON)
    version = iso_codes_version()
    print("iso-codes %s (%s)" % (version, ISO_JSON))
    if version != EXPECTED_ISO_CODES_VERSION:
        print("WARNING: iso-codes %s installed, the committed data was made from %s"
              % (version, EXPECTED_ISO_CODES_VERSION), file=sys.stderr)
    with open(ISO_JSON, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]

    catalogues = {}
    for lang, locale in ISO_LOCALE.items():
        if locale is None:
            continue
        mo = os.path.join(LOCALE_DIR, locale, "LC_MESSAGES", ISO_DOMAIN + ".mo")
        with open(mo, "rb") as f:
            cat = gettext.GNUTranslations(f)
        missed = _Missed()
        cat.add_fallback(missed)
        catalogues[lang] = (cat, missed)
        print("catalogue %-3s %s (PO-Revision-Date %s)"
              % (lang, mo, cat.info().get("po-revision-date", "?")))

    countries = {}
    gaps = []
    for e in entries:
        code, name = e["alpha_3"], e["name"]
        row = {"en": clean(name)}
        for lang, (cat, recorder) in catalogues.items():
            row[lang] = clean(cat.gettext(name))
            if name in recorder.missed:
                gaps.append((code, lang, name))
        if code in countries:
            fail("duplicate alpha_3 %s" % code)
        countries[code] = row
    return countries, sorted(gaps), len(entries)


def dump(obj):
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the generated files differ from those on disk")
    args = ap.parse_args()

    shorts, titles = build_sdgs(read_manifest())
    countries, gaps, n_entries = build_countries()

    # Checks: every goal and every country has all six languages, non-empty.
    for table, name in ((shorts, "sdgs"), (titles, "sdg_goals"), (countries, "countries")):
        for key, row in table.items():
            missing = [l for l in LANGS if not row.get(l)]
            if missing or sorted(row) != LANGS:
                fail("%s %s: languages %s, missing %s" % (name, key, sorted(row), missing))
    if len(shorts) != 17 or len(titles) != 17:
        fail("expected 17 SDGs")
    if len(countries) != n_entries:
        fail("countries: %d rows for %d ISO entries" % (len(countries), n_entries))

    outputs = {
        "sdgs.json": dump(shorts),
        "sdg_goals.json": dump(titles),
        "countries.json": dump(countries),
    }
    stale = []
    for fname, content in outputs.items():
        path = os.path.join(HERE, fname)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != content:
                        stale.append(fname)
            except FileNotFoundError:
                stale.append(fname)
        else:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(content)
            print("wrote %s (%d bytes)" % (os.path.relpath(path), len(content.encode("utf-8"))))

    print("sdgs: 17 goals x %d languages; countries: %d x %d languages"
          % (len(LANGS), len(countries), len(LANGS)))
    if gaps:
        print("gaps (no translation in the catalogue, English recorded):")
        for code, lang, name in gaps:
            print("  %s %s %s" % (code, lang, name))
    else:
        print("gaps: none")

    if args.check:
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            sys.exit(1)
        print("up to date")


if __name__ == "__main__":
    main()
