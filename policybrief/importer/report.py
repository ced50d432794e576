"""Import a report (its text or its PDF) into content YAML.

The 提要 tree is parsed by ``summary``; this module finds the metadata around
it (title, series, publisher, date, the 序 and its people, cited sources, the
series list), checks the result against the content model and writes the YAML.
Warnings are returned as ``file:line: warning: …`` lines, never printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from policybrief.errors import BriefError, ContentError
from policybrief.importer.pdftext import Progress
from policybrief.importer.summary import (
    SECTION_LABEL,
    SourceLine,
    SummaryParser,
    is_typed,
    listed_headings,
    mark_paragraph_ends,
    mark_typed_paragraph_ends,
)
from policybrief.load.files import check_report_file
from policybrief.load.schema import Report
from policybrief.output import write_atomic
from policybrief.typography.text import join_lines, normalise

TITLE = re.compile(r"《(.+?)》", re.S)
ROC_DATE = re.compile(r"中華民國(\d{1,3})年(\d{1,2})月")
SIGNATURE = re.compile(r"^(.+?)謹誌$")
SERIES_NAME = re.compile(r"^【(.+?)】(?:$|\s*No\.)")
# An entry of the series list: "No. 107001 title", or "【name】 No. 107001 title" on one line (as a brief of this tool prints it).
SERIES_ENTRY = re.compile(r"^(?:【.+?】\s*)?No\.\s*(\d{5,7})\s+(.+)$")
URL = re.compile(r"https?://[^\s\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+")
CITATION = re.compile(
    r"[“\"]\s*(?P<title>[^”\"]+?),?\s*[”\"]\s*(?P<publisher>[^,，]+),\s*"
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)\s+"
    r"(?P<day>\d{1,2}),\s*(?P<year>\d{4}),?\s*$"
)
MONTHS = "January February March April May June July August September October November December".split()
TITLE_WORDS = "助理教授|副教授|教授|助理研究員|副研究員|研究員|講師|主任|所長|院長|執行長|董事長"
PERSON = re.compile(rf"(?:^|、|及)(?P<affiliation>[^、，。及]+?(?:{TITLE_WORDS}))(?P<name>[\u4e00-\u9fff]{{2,3}})(?=、|及|，|$)")
EDITOR = re.compile(rf"由(?P<who>[^，。]+?(?:{TITLE_WORDS}))(?P<name>[\u4e00-\u9fff]{{2,3}})(?:綜整|主編|彙整)")
INVITED = re.compile(r"邀請(?P<people>[^，。]+)，分別就(?P<subjects>.+?)等")


@dataclass(frozen=True)
class Imported:
    """A report read into content data, with the warnings met on the way."""

    data: dict
    warnings: list[str]
    source: str

    @property
    def counts(self) -> tuple[int, int, int]:
        """Return the number of sections, topics and points."""
        topics = [t for s in self.data["sections"] for t in s["topics"]]
        return len(self.data["sections"]), len(topics), sum(len(t["points"]) for t in topics)


def read_lines(path: Path, name: str, on_progress: Progress | None = None) -> list[SourceLine]:
    """Return the lines of the report at ``path`` (text or PDF); raise BriefError when unreadable."""
    check_report_file(path, name)
    raw = path.read_bytes()
    if raw.startswith(b"%PDF-"):
        from policybrief.importer.pdftext import pdf_lines

        texts = pdf_lines(path, name, on_progress)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
        if text is None or "\x00" in text:
            raise BriefError(f"{name}: is neither a UTF-8 text nor a PDF; give the report as a .txt (UTF-8) or .pdf file.")
        texts = text.splitlines()
    return [SourceLine(number, raw_line) for number, raw_line in enumerate(texts, start=1)]


def import_report(path: Path, name: str | None = None, on_progress: Progress | None = None) -> Imported:
    """Return the content read from the report at ``path``; raise ContentError when it cannot be placed."""
    name = name or str(path)
    lines = read_lines(path, name, on_progress)
    typed = is_typed(lines)
    if typed:
        lines = mark_typed_paragraph_ends(lines)
    start = next((i for i, line in enumerate(lines) if line.text.replace(" ", "") == "提要"), None)
    if start is None or not any(SECTION_LABEL.match(line.text) for line in lines[start:]):
        raise ContentError([f"{name}: no 提要 found (a line reading 提要 followed by sections 壹、貳…); import needs a report of the series."])
    front, rest = lines[:start], lines[start + 1 :]
    title = _title(front, name)
    subtitle = _subtitle(front)
    notes, marked = [], rest
    if not any(line.ends_paragraph for line in rest):
        marked = mark_paragraph_ends(rest)
        notes.append((lines[start].number, "no line ends with a space (were they trimmed?); paragraph ends are guessed from line lengths, check every point"))
    summary = SummaryParser(name, {title, f"《{title}》", subtitle or title}, listed_headings(front)).parse(marked)
    preface = _preface(front)
    people, unsure = _people(preface)
    preface_line = next((line.number for line in front if normalise(line.text) == "序"), 1)
    notes += [(preface_line, message) for message in unsure]
    data = {
        **_series(lines, title, name),
        "title": title,
        **({"subtitle": subtitle} if subtitle else {}),
        "publisher": _publisher(front, name),
        "date": _date(front, name),
        **people,
        "preface": preface,
        "sections": summary.sections,
        "sources": _sources(rest),
        "series_list": _series_list(lines),
    }
    data = {key: value for key, value in data.items() if value not in ([], None)}
    _check(data, name)
    warnings = [f"{name}:{number}: warning: {message}." for number, message in notes + summary.warnings]
    return Imported(data, warnings, name)


def _title(front: list[SourceLine], name: str) -> str:
    """Return the report's title, from 《…》 before the 提要 (it may wrap over lines)."""
    text = join_lines([line.text for line in front if line.text])
    matches = TITLE.findall(text)
    if not matches:
        raise ContentError([f"{name}: no title in 《…》 before the 提要; add the title line to the report text."])
    return normalise(matches[-1])


SUBTITLE_MAX = 12  # characters: 政策報告, 研究報告; a longer line is text, not a subtitle


def _subtitle(front: list[SourceLine]) -> str | None:
    """Return the subtitle (e.g. 政策報告): after 》 on the title's last line, else the short line that follows it."""
    after = [normalise(line.text) for line in front if line.text]
    ends = [i for i, text in enumerate(after) if "》" in text]
    if not ends:
        return None
    rest = after[ends[-1]].rpartition("》")[2].strip()
    following = after[ends[-1] + 1] if ends[-1] + 1 < len(after) else ""
    candidate = rest or following
    plain = candidate and len(candidate) <= SUBTITLE_MAX and candidate not in ("序", "提要")
    return candidate if plain and not (SIGNATURE.match(candidate) or ROC_DATE.search(candidate)) else None


def _publisher(front: list[SourceLine], name: str) -> str:
    """Return the publisher, from the 序's signature 「… 謹誌」."""
    for line in front:
        match = SIGNATURE.match(normalise(line.text))
        if match:
            return match[1].strip()
    raise ContentError([f"{name}: no publisher found (the 序 is signed 「… 謹誌」); add the signature line to the report text."])


def _date(front: list[SourceLine], name: str) -> str:
    """Return the report's month as YYYY-MM, from the ROC date 中華民國N年M月 (a line of its own first)."""
    texts = [normalise(line.text) for line in front]
    for match in [*(ROC_DATE.fullmatch(t) for t in texts), *(ROC_DATE.search(t) for t in texts)]:
        if match and 1 <= int(match[2]) <= 12:
            return f"{int(match[1]) + 1911}-{int(match[2]):02d}"
    raise ContentError([f"{name}: no date found (中華民國N年M月) before the 提要; add the date line to the report text."])


def _preface(front: list[SourceLine]) -> list[str]:
    """Return the 序's paragraphs: the lines between 序 and the signature, a paragraph per final space."""
    texts = [normalise(line.text) for line in front]
    if "序" not in texts:
        return []
    paragraphs, lines = [], []
    for line in front[texts.index("序") + 1 :]:
        if SIGNATURE.match(normalise(line.text)) or ROC_DATE.search(normalise(line.text)):
            break
        if line.text:
            lines.append(line.text)
            if line.ends_paragraph:
                paragraphs.append(join_lines(lines))
                lines = []
    return [p for p in [*paragraphs, join_lines(lines)] if p]


def _people(preface: list[str]) -> tuple[dict, list[str]]:
    """Return the editor and contributors named in the 序 (「由…綜整，邀請…、…及…，分別就「…」…等」),
    and what could not be read of them."""
    text = "".join(preface)
    found: dict = {}
    unsure: list[str] = []
    editor = EDITOR.search(text)
    if editor:
        role, _, affiliation = editor["who"].rpartition("暨")
        found["editor"] = {"name": editor["name"], **({"role": role} if role else {}), "affiliation": affiliation}
    invited = INVITED.search(text)
    if invited:
        people = [{"name": m["name"], "affiliation": m["affiliation"]} for m in PERSON.finditer(invited["people"])]
        subjects = [_subject(s) for s in re.findall(r"「((?:[^「」]|「[^「」]*」)+)」", invited["subjects"])]
        named = len(re.split("、|及", invited["people"]))
        if len(people) != named:
            unsure.append(f"the 序 invites about {named} contributors but {len(people)} could be read; add the others and the subjects by hand")
        elif len(subjects) != len(people):
            unsure.append(f"the 序 names {len(subjects)} subjects for {len(people)} contributors; add each contributor's subject by hand")
        else:
            people = [{**person, "subject": subject} for person, subject in zip(people, subjects, strict=True)]
        found["contributors"] = people
    return found, unsure


def _subject(text: str) -> str:
    """Return a quoted subject with its inner quotes 『』 turned back into 「」."""
    return text.replace("『", "「").replace("』", "」")


def _series(lines: list[SourceLine], title: str, name: str) -> dict:
    """Return the series name and the report's number, from the series list entry with its title."""
    series_name = next((m[1] for m in (SERIES_NAME.match(normalise(line.text)) for line in lines) if m), None)
    number = next((entry["number"] for entry in _series_list(lines) if entry["title"] == title), None)
    if not series_name or not number:
        raise ContentError([f"{name}: no series number found (a list 【…系列】 with a line 「No. NNNNNN {title}」); add it to the report text."])
    return {"series": {"name": series_name, "number": number}}


def _series_list(lines: list[SourceLine]) -> list[dict]:
    """Return the series list printed after 【…系列】: number and title of each report."""
    entries = []
    for line in lines:
        match = SERIES_ENTRY.match(line.text)
        if match:
            entries.append({"number": match[1], "title": normalise(match[2])})
    return entries


def _sources(lines: list[SourceLine]) -> list[dict]:
    """Return the cited web sources (footnote URLs, wrapped ones rejoined), each once, in order."""
    sources: dict[str, dict] = {}
    texts = [line.raw for line in lines if line.text]
    for index, text in enumerate(texts):
        for match in URL.finditer(text):
            url = (match[0] + _url_rest(text, match.end(), texts[index + 1 : index + 2])).rstrip(".,;，；)")
            if url not in sources:
                sources[url] = {"url": url, **_citation(texts[max(0, index - 2) : index], text[: match.start()])}
    return list(sources.values())


def _url_rest(text: str, end: int, following: list[str]) -> str:
    """Return the part of a URL wrapped onto the next line (a line of URL characters, not a footnote number)."""
    if end < len(text) or not following:
        return ""
    rest = following[0].strip()
    wrapped = re.fullmatch(r"[-\w./?=&%#~+:]+", rest) and not rest.isdigit() and not rest.startswith("http")
    return rest if wrapped else ""


def _citation(before: list[str], head: str) -> dict:
    """Return the title, publisher and date of a footnote written “Title,” Publisher, Month D, YYYY, URL."""
    text = " ".join([*(t.strip() for t in before), head.strip()])
    match = CITATION.search(text)
    if not match:
        return {}
    month = MONTHS.index(match["month"]) + 1
    return {
        "title": match["title"].strip(),
        "publisher": match["publisher"].strip(),
        "date": f"{match['year']}-{month:02d}-{int(match['day']):02d}",
    }


def _check(data: dict, name: str) -> None:
    """Raise ContentError when ``data`` does not pass the content model."""
    try:
        Report.model_validate(data)
    except ValidationError as error:
        problem = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ContentError([f"{name}: the imported {where} is not valid ({problem['msg']}); check that part of the report text."]) from None


GROUPS = (
    ("", ("series", "title", "subtitle", "publisher", "date", "editor", "contributors", "preface")),
    ("# The 提要: sections → topics → points (headline + body).", ("sections",)),
    ("# Sources cited in the report's footnotes.", ("sources",)),
    ("# The series list printed on the back cover.", ("series_list",)),
)


def to_yaml(imported: Imported) -> str:
    """Return the content as YAML for editors: a header comment, schema key order, one line per text."""
    import yaml

    data = imported.data
    parts = [
        f"# {data['series']['name']} No. {data['series']['number']} — imported from {Path(imported.source).name}.\n"
        "# Read it through before building, above all where the import printed a warning.\n"
        "# Not in a report, add them by hand if wanted: short_title, keywords.\n"
        "# Numbering (壹、貳… / 一、二…) and the ROC date are computed: do not type them here.\n"
    ]
    for comment, keys in GROUPS:
        group = {key: data[key] for key in keys if key in data}
        if group:
            dumped = yaml.safe_dump(group, allow_unicode=True, sort_keys=False, width=1_000_000)
            parts.append(f"\n{comment}\n{dumped}" if comment else dumped)
    return "".join(parts)


def output_path(imported: Imported, output: Path | None, force: bool, content_dir: Path = Path("content")) -> Path:
    """Return where to write the YAML: ``output``, or content/<number>.yaml when that is free (or ``force``)."""
    path = output if output is not None else content_dir / f"{imported.data['series']['number']}.yaml"
    if path.is_dir():
        raise BriefError(f"{path}: is a folder; name the content file to write with -o, e.g. -o {path / 'report.yaml'}.")
    if path.exists() and not force:  # -o FILE too: import never replaces a file unasked
        raise BriefError(f"{path}: already exists; add --force to replace it or choose another file with -o.")
    return path


def import_to_file(report: Path, output: Path | None = None, *, force: bool = False,
                   on_progress: Progress | None = None) -> tuple[Path, Imported]:
    """Return the written YAML's path and the import, after writing it atomically (``on_progress``: see ``pdf_lines``)."""
    imported = import_report(report, on_progress=on_progress)
    path = output_path(imported, output, force)
    write_atomic(path, to_yaml(imported).encode("utf-8"))
    return path, imported
