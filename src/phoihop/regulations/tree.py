"""A regulation's text as a plain tree, apart from the database.

The importer (`regulations/importer.py`) reads a .docx or plain text into a
`RegulationTree`; the exporter (`regulations/export.py`) lays a tree out as DOCX and
PDF; the services turn a tree into rows and rows back into a tree. Two trees are equal
when their text and structure are: the round trip import → export → import is checked
by comparing trees.

The Vietnamese legal layout it models: chapters (Chương I, II…), optionally sections
(Mục 1, 2…) inside a chapter, articles (Điều 1, 2…) numbered across the whole text,
clauses (1., 2.…) inside an article, points (a), b)…) inside a clause. An article
without clauses has its text in `text`; an article with clauses may still have an
opening sentence in `text`, before its first clause.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PointNode:
    letter: str  # "a", "b", … "đ"
    text: str


@dataclass
class ClauseNode:
    number: int
    text: str
    points: list[PointNode] = field(default_factory=list)


@dataclass
class ArticleNode:
    number: int
    title: str
    text: str = ""
    clauses: list[ClauseNode] = field(default_factory=list)
    section: int | None = None  # the number of the Mục it sits in, if any


@dataclass
class SectionNode:
    number: int
    title: str


@dataclass
class ChapterNode:
    number: int
    title: str
    sections: list[SectionNode] = field(default_factory=list)
    articles: list[ArticleNode] = field(default_factory=list)


@dataclass
class Unrecognised:
    """A paragraph the importer could not place, by its position in the source."""

    index: int  # 1-based paragraph number in the source
    text: str
    reason: str = ""


@dataclass
class RegulationTree:
    title: str = ""
    chapters: list[ChapterNode] = field(default_factory=list)
    unrecognised: list[Unrecognised] = field(default_factory=list)

    def articles(self) -> list[ArticleNode]:
        return [a for c in self.chapters for a in c.articles]

    def clauses(self) -> list[tuple[ArticleNode, ClauseNode]]:
        return [(a, c) for a in self.articles() for c in a.clauses]

    def same_text(self, other: RegulationTree) -> bool:
        """Equal structure and text; what was not recognised does not count."""
        return (self.title, self.chapters) == (other.title, other.chapters)
