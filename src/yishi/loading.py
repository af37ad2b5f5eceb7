"""Read record files and build the cross-reference index, collecting problems as it goes.

Loading never stops at the first broken file: a record that cannot be read becomes a
:class:`~yishi.problems.Problem` located at the offending line, and the rest load normally.
The site, the exports and ``yishi check`` all start from :func:`load_repository`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Generic, TypeVar

import frontmatter
import frontmatter.default_handlers
import yaml
from pydantic import BaseModel, ValidationError

from .council import COUNCIL_FILE, Council, load_council, parse_council
from .errors import CouncilError
from .front_matter_cache import FrontMatterCache
from .ids import id_date
from .problems import Problem
from .records import AgendaItem, Issue, Meeting
from .schema_messages import explain, keys_at
from .yaml_lines import format_loc, line_in

ISSUES_DIR = Path("content") / "issues"
MEETINGS_DIR = Path("content") / "meetings"

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RecordLoader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML without implicit timestamps: dates stay strings, so an impossible date
    (2023-02-30) reaches the schema and is reported with its line instead of crashing."""


RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_FRONT_MATTER = frontmatter.default_handlers.YAMLHandler()


@dataclass
class SourceFile:
    """A record file's text split into front matter and body, with line bookkeeping."""

    path: str  # relative to the repository root, posix style, as messages show it
    text: str
    front_matter: str
    body: str
    front_matter_line: int  # file line of the front matter's first line
    body_line: int  # file line of the body's first line

    @cached_property
    def _node(self) -> yaml.Node | None:
        try:
            node: yaml.Node | None = yaml.compose(self.front_matter, Loader=RecordLoader)
            return node
        except yaml.YAMLError:
            return None

    def line_of(self, loc: Sequence[str | int]) -> int:
        """File line of the key at ``loc`` (or of its nearest existing parent; 1 at top)."""
        return line_in(self._node, loc, self.front_matter_line)

    def body_line_of(self, offset: int) -> int:
        """File line of a character offset in the body."""
        return self.body_line + self.body.count("\n", 0, offset)


T = TypeVar("T", bound=BaseModel)


@dataclass
class Loaded(Generic[T]):
    """A valid record with the file it came from."""

    source: SourceFile
    record: T

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def body(self) -> str:
        return self.source.body.strip()


LoadedIssue = Loaded[Issue]
LoadedMeeting = Loaded[Meeting]


@dataclass(frozen=True)
class Reference:
    """An agenda item about an issue, with the meeting that holds it."""

    meeting: Meeting
    item: AgendaItem


@dataclass
class Repository:
    """Every record of a repository, loaded once, with the problems found while loading."""

    root: Path
    council: Council | None
    issues: dict[str, LoadedIssue] = field(default_factory=dict)
    meetings: dict[str, LoadedMeeting] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Ids (file stems) of records that exist but could not be loaded: references to them
    #: are not reported again as dangling.
    broken: set[str] = field(default_factory=set)

    def require_council(self) -> Council:
        """The council, for code that cannot work without one (the site, exports, metrics)."""
        if self.council is None:
            raise CouncilError("content/council.yml is missing or invalid; run `yishi check`")
        return self.council

    def exists(self, record_id: str) -> bool:
        """Whether an issue or meeting file with this id exists, loadable or not."""
        return record_id in self.issues or record_id in self.meetings or record_id in self.broken

    @cached_property
    def agenda_index(self) -> dict[str, list[Reference]]:
        """Issue id → the agenda items about it, oldest meeting first."""
        index: dict[str, list[Reference]] = defaultdict(list)
        for loaded in sorted(self.meetings.values(), key=lambda m: (m.record.date, m.record.id)):
            for item in loaded.record.agenda:
                index[item.issue].append(Reference(loaded.record, item))
        return dict(index)

    def references(self, issue_id: str) -> list[Reference]:
        """The agenda items about ``issue_id``, oldest first."""
        return self.agenda_index.get(issue_id, [])

    def decision(self, issue_id: str) -> Reference | None:
        """The latest agenda item that decided ``issue_id``, if any."""
        for ref in reversed(self.references(issue_id)):
            if ref.item.outcome == "decided":
                return ref
        return None


def split_source(path: str, text: str) -> SourceFile | Problem:
    """Split a record file into front matter and body, or say why it cannot be."""
    if not _FRONT_MATTER.detect(text):
        return Problem(path, 1, "(file)", "没有 YAML front matter：文件应以 '---' 开头 "
                       "(no YAML front matter: the file must start with '---')")
    try:
        fm, body = _FRONT_MATTER.split(text)
    except ValueError:
        return Problem(path, 1, "(file)", "front matter 没有用第二个 '---' 行结束 "
                       "(front matter is not closed by a second '---' line)")
    fm_start = text.index(fm, 3) if fm else text.index("\n") + 1
    fm_line = text.count("\n", 0, fm_start) + 1
    body_start = text.index(body, fm_start + len(fm)) if body else len(text)
    body_line = text.count("\n", 0, body_start) + 1
    return SourceFile(path, text, fm, body, fm_line, body_line)


def parse_front_matter(
    source: SourceFile, cache: FrontMatterCache | None = None
) -> dict[str, Any] | Problem:
    """The front matter as data, or a problem naming the YAML error's line."""
    if cache is not None:
        cached = cache.get(source.front_matter)
        if cached is not None:
            return cached
    try:
        data = yaml.load(source.front_matter, Loader=RecordLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + source.front_matter_line if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        # An unclosed bracket or quote is noticed lines later: name where it was opened.
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None:
            problem += f" ({context} that starts on line {context_mark.line + source.front_matter_line})"
        return Problem(source.path, line, "(yaml)", f"YAML 格式错误 (invalid YAML: {problem})")
    if not isinstance(data, dict):
        return Problem(source.path, 1, "(file)",
                       "front matter 应为键值映射 (front matter must be a mapping of keys)")
    if cache is not None:
        cache.put(source.front_matter, data)
    return data


def validation_problems(
    source: SourceFile, exc: ValidationError, model: type[BaseModel]
) -> list[Problem]:
    """One problem per schema error, each at the line of the key at fault, in Chinese
    with the English beside it (:mod:`yishi.schema_messages`)."""
    problems = []
    for err in exc.errors(include_url=False):
        # A dict key's error ends in "[key]"; a model-level error names its field.
        loc = tuple(part for part in err["loc"] if part != "[key]")
        field = (err.get("ctx") or {}).get("field")
        if isinstance(field, str):
            loc = (*loc, field)
        keys = keys_at(model, loc[:-1]) if err["type"] == "extra_forbidden" else []
        problems.append(Problem(source.path, source.line_of(loc), format_loc(loc),
                                explain(err, keys)))
    return problems


def load_record(
    model: type[T], path: str, text: str, council: Council | None,
    cache: FrontMatterCache | None = None,
) -> Loaded[T] | list[Problem]:
    """Parse and validate one record file."""
    source = split_source(path, text)
    if isinstance(source, Problem):
        return [source]
    data = parse_front_matter(source, cache)
    if isinstance(data, Problem):
        return [data]
    try:
        record = model.model_validate(data, context={"council": council})
    except ValidationError as exc:
        return validation_problems(source, exc, model)
    return Loaded(source, record)


def load_record_file(repo: Repository, model: type[T], path: str, data: bytes,
                     cache: FrontMatterCache | None = None) -> Loaded[T] | None:
    """One record file as a git blob holds it, validated against ``repo``'s council; its
    problems (and, when it cannot be loaded, its id as broken) are noted in ``repo``."""
    stem = Path(path).stem
    text = _decode(data, path)
    loaded = (load_record(model, path, text, repo.council, cache) if isinstance(text, str)
              else [text])
    if isinstance(loaded, list):
        repo.problems.extend(loaded)
        repo.broken.add(stem)
        return None
    record_id: str = getattr(loaded.record, "id")  # noqa: B009 - both models have an id
    if record_id != stem:
        repo.problems.append(Problem(path, loaded.source.line_of(("id",)), "id",
                                     _id_mismatch(record_id, stem)))
    return loaded


def _id_mismatch(record_id: str, stem: str) -> str:
    return (f"编号 {record_id!r} 与文件名 {stem!r} 不一致 "
            f"(id {record_id!r} does not match the file name {stem!r})")


def _read(path: Path, rel: str) -> str | Problem:
    return _decode(path.read_bytes(), rel)


def _decode(data: bytes, rel: str) -> str | Problem:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(rel, 1, "(file)", f"不是 UTF-8 文本（第 {exc.start} 字节），请另存为 UTF-8 "
                       f"(not UTF-8 text (byte {exc.start}); save it as UTF-8)")


def load_repository(root: Path | str, front_matter_cache: Path | None = None) -> Repository:
    """Load the council and every record under ``root`` (a repository or site folder).

    With ``front_matter_cache`` (a file), front matter parsed by an earlier load is read
    back instead of parsed again (see :mod:`yishi.front_matter_cache`); site builds use it.
    """
    root = Path(root)
    cache = FrontMatterCache(front_matter_cache) if front_matter_cache else None
    repo = _with_council(root, lambda: load_council(root))
    repo.issues = _load_folder(repo, ISSUES_DIR, Issue, cache, _files_in(root, ISSUES_DIR))
    repo.meetings = _load_folder(repo, MEETINGS_DIR, Meeting, cache, _files_in(root, MEETINGS_DIR))
    if cache is not None:
        cache.save()
    return repo


def load_repository_from(root: Path | str, files: Mapping[str, bytes]) -> Repository:
    """Load the records from file contents by repository path, as a git revision holds them.

    ``root`` is kept as the repository's root; nothing is read from its working tree.
    """
    root = Path(root)
    repo = repository_at(root, files.get(COUNCIL_FILE.as_posix()))
    repo.issues = _load_folder(repo, ISSUES_DIR, Issue, None, _files_under(files, ISSUES_DIR))
    repo.meetings = _load_folder(
        repo, MEETINGS_DIR, Meeting, None, _files_under(files, MEETINGS_DIR)
    )
    return repo


def _files_under(files: Mapping[str, bytes], folder: Path) -> list[tuple[str, str | Problem]]:
    """The ``*.md`` files directly in ``folder``, decoded, by repository path."""
    prefix = folder.as_posix() + "/"
    return [
        (path, _decode(data, path))
        for path, data in sorted(files.items())
        if path.startswith(prefix) and "/" not in path[len(prefix):] and path.endswith(".md")
    ]


def repository_at(root: Path, council_text: str | bytes | None) -> Repository:
    """An empty repository with the council ``council_text`` (as a git revision holds
    ``content/council.yml``; None: missing), or with the problem that keeps it from loading."""
    return _with_council(root, lambda: parse_council(council_text))


def _with_council(root: Path, read: Callable[[], Council]) -> Repository:
    """An empty repository with its council, or with the problem that keeps it from loading."""
    try:
        return Repository(root, read())
    except CouncilError as exc:
        repo = Repository(root, None)
        path = COUNCIL_FILE.as_posix()
        if exc.located:
            repo.problems.extend(Problem(path, line, field, message)
                                 for line, field, message in exc.located)
        else:
            repo.problems.append(Problem(path, 1, "(council)", str(exc)))
        return repo


def _files_in(root: Path, folder: Path) -> list[tuple[str, str | Problem]]:
    """Every ``*.md`` file of one folder of the working tree, read, by repository path."""
    return [
        (rel, _read(path, rel))
        for path in sorted((root / folder).glob("*.md"))
        for rel in [(folder / path.name).as_posix()]
    ]


def _load_folder(
    repo: Repository, folder: Path, model: type[T], cache: FrontMatterCache | None,
    texts: Sequence[tuple[str, str | Problem]],
) -> dict[str, Loaded[T]]:
    """Load the ``*.md`` records of one folder, adding problems and broken ids to ``repo``."""
    loaded_by_id: dict[str, Loaded[T]] = {}
    first_path: dict[str, str] = {}
    for rel, text in texts:
        path = Path(rel)
        loaded = (load_record(model, rel, text, repo.council, cache) if isinstance(text, str)
                  else [text])
        if isinstance(loaded, list):
            repo.problems.extend(loaded)
            repo.broken.add(path.stem)
            continue
        found, duplicate = id_problems(rel, loaded, first_path)
        repo.problems.extend(found)
        if duplicate:
            continue
        loaded_by_id[getattr(loaded.record, "id")] = loaded  # noqa: B009 - both models have an id
    return loaded_by_id


def id_problems(rel: str, loaded: Loaded[Any],
                first_path: dict[str, str]) -> tuple[list[Problem], bool]:
    """The problems of a loaded record's id, the folder's records taken in path order: a date
    no calendar has, a file name that differs, an id an earlier file has (``first_path``: id
    -> the first file with it, updated here). With whether it is such a duplicate, which
    ``yishi check`` leaves out."""
    record_id: str = getattr(loaded.record, "id")  # noqa: B009 - both models have an id
    stem = Path(rel).stem
    messages = []
    if id_date(record_id) is None:
        messages.append(f"编号 {record_id!r} 里的日期不存在 "
                        f"(id {record_id!r} encodes an impossible date)")
    if record_id != stem:
        messages.append(_id_mismatch(record_id, stem))
    duplicate = record_id in first_path
    if duplicate:
        messages.append(f"编号 {record_id!r} 重复，{first_path[record_id]} 也用了它 "
                        f"(duplicate id {record_id!r}, also in {first_path[record_id]})")
    else:
        first_path[record_id] = rel
    # The id's line is looked up only for a problem: finding a line composes the YAML
    # a second time, which costs as much as loading the record.
    id_line = loaded.source.line_of(("id",)) if messages else 0
    return [Problem(rel, id_line, "id", message) for message in messages], duplicate
