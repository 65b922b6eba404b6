"""The one column dictionary: every table's columns, dtypes and meanings.

Everything else derives from here: table validation (:func:`validate`), the
data dictionary in ``docs/data-dictionary.md`` (:func:`data_dictionary_markdown`)
and the column order of every exported CSV / Parquet file.

Naming conventions (after PUDL): ``doc_id`` names a source document;
``*_seq`` is a 1-based ordinal unique within a document (0 = none);
``*_line`` / ``line`` are 1-based line numbers in the source file;
``*_offset`` are 0-based character offsets into the source file (end
exclusive); ``is_*`` are booleans; ``n_*`` are counts; ``share`` values lie
in [0, 1].  Missing text is the empty string, never NaN, so codes such as
Namibia's ``NA`` survive every CSV round trip.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import SchemaError

DTYPES = {"str": object, "int": "int64", "float": "float64", "bool": "bool"}

LINE_ROLES = (
    "blank", "cover", "separator", "chapter_heading", "cluster_heading", "article_heading",
    "paragraph", "preamble", "note", "footnote", "footer", "page_number",
)


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str" | "int" | "float" | "bool"
    meaning: str
    values: tuple[str, ...] = ()  # allowed values of a categorical column (empty = any)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    exported: bool = True  # written to data/ by the build

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _c(name: str, dtype: str, meaning: str, values: tuple[str, ...] = ()) -> Column:
    return Column(name, dtype, meaning, tuple(values))


STANCES = ("sponsor", "retain", "delete", "against", "original", "retain_original", "integrate", "move",
           "alt", "keep")
PROPOSAL_KINDS = ("insert", "replace", "delete", "position", "new_article", "other")
RESOLUTIONS = ("exact", "alias", "flagged", "doubtful", "unknown", "not_a_code", "recovered", "ambiguous")


DOC = _c("doc_id", "str", "Source document id (see the `documents` table).")
LINE = _c("line", "int", "1-based line number in the source file.")
ART_SEQ = _c("article_seq", "int", "Ordinal of the article within its document (1..n, document order); 0 = outside any article.")
ART = _c("article", "str", "Article label as written, spacing normalised: `6`, `10 bis`, `18 alt`; empty outside articles.")
PAR_SEQ = _c("paragraph_seq", "int", "Ordinal of the paragraph within its document (1..n); 0 = not in a paragraph.")
PAR = _c("paragraph", "str", "Paragraph label as written, normalised: `1`, `2 bis`, `(a)`, `(c) ter`; empty for unlabelled text.")

TABLES: dict[str, Table] = {}


def _register(table: Table) -> Table:
    TABLES[table.name] = table
    return table


_register(Table("documents", "The catalogue of source documents (one row per document, in session order).", (
    DOC,
    _c("file", "str", "File name under `seeds/` (vendored byte-for-byte from the source)."),
    _c("sha256", "str", "SHA-256 of the file's bytes."),
    _c("un_symbol", "str", "UN document symbol where there is one (e.g. `A/AC.291/22`)."),
    _c("title", "str", "Title of the document."),
    _c("session", "str", "Ad Hoc Committee session the document belongs to."),
    _c("session_order", "int", "Chronological order of the documents (1 = earliest)."),
    _c("date", "str", "Date of the document (ISO 8601)."),
    _c("kind", "str", "Kind of document (member_state_submission, consolidated_negotiating_document, expert_proposal, chair_draft, amended_draft)."),
    _c("notation", "str", "Notation and extraction quirks of the file."),
    _c("parser", "str", "Segmenter used for the document."),
    _c("n_lines", "int", "Number of lines in the file."),
    _c("n_chars", "int", "Number of characters in the file."),
), ("doc_id",)))

_register(Table("lines", "One row per source line: what the line is. Every line of every file appears exactly once.", (
    DOC, LINE,
    _c("role", "str", "What the line is: " + ", ".join(LINE_ROLES) + ".", LINE_ROLES),
    ART_SEQ, PAR_SEQ,
    _c("start_offset", "int", "Offset of the line's first character."),
    _c("end_offset", "int", "Offset just past the line's last character (newline excluded)."),
), ("doc_id", "line")))

_register(Table("chapters", "Chapters of each document.", (
    DOC,
    _c("chapter_seq", "int", "Ordinal of the chapter within its document."),
    _c("chapter", "str", "Chapter label as written (`I`, `II`; the UK submission uses the chapter title)."),
    _c("title", "str", "Chapter title."),
    _c("start_line", "int", "Line of the chapter heading."),
    _c("end_line", "int", "Last line of the chapter."),
), ("doc_id", "chapter_seq")))

_register(Table("articles", "One row per article (including articles proposed by delegations).", (
    DOC, ART_SEQ,
    _c("chapter", "str", "Label of the chapter holding the article (empty if none)."),
    _c("cluster", "str", "Cluster label in the CND (`1`..`11`); empty elsewhere."),
    ART,
    _c("article_num", "int", "Leading article number (-1 where the heading has none)."),
    _c("title", "str", "Article title as written (markdown emphasis removed, bracketed proposals kept)."),
    _c("is_proposed", "bool", "True when a delegation proposes the whole article (e.g. `[10 bis. …]`, `[Article 18 alt. …: MX]`)."),
    _c("start_line", "int", "Line of the article heading."),
    _c("end_line", "int", "Last line of the article (before the next heading)."),
    _c("heading_line", "int", "Line where the heading starts (same as start_line unless the heading was inferred)."),
    _c("start_offset", "int", "Offset of the heading's first character."),
    _c("end_offset", "int", "Offset just past the article's last character."),
    _c("n_paragraphs", "int", "Number of paragraphs (labelled or not) in the article."),
    _c("n_words", "int", "Words in the article's paragraphs (heading excluded): runs of letters/digits, counted in the text as written, bracketed and struck text included."),
), ("doc_id", "article_seq")))

_register(Table("paragraphs", "One row per paragraph or subparagraph (unlabelled blocks included).", (
    DOC, PAR_SEQ, ART_SEQ, ART, PAR,
    _c("text", "str", "The paragraph's own lines joined with newlines, as written (decoded for glyph-encoded files)."),
    _c("start_line", "int", "First line of the paragraph."),
    _c("end_line", "int", "Last line of the paragraph."),
    _c("start_offset", "int", "Offset of the paragraph's first character."),
    _c("end_offset", "int", "Offset just past its last character."),
    _c("n_lines", "int", "Number of the paragraph's own lines (interrupting footnote/page lines excluded)."),
    _c("n_words", "int", "Words in the paragraph (same rule as articles.n_words)."),
), ("doc_id", "paragraph_seq")))

_register(Table("brackets", "One row per square-bracket span; nested spans are rows of their own.", (
    DOC,
    _c("bracket_id", "int", "Ordinal of the span within its document, in order of the opener."),
    _c("parent_id", "int", "bracket_id of the enclosing span (0 = top level)."),
    _c("depth", "int", "Nesting depth (1 = top level)."),
    ART_SEQ, ART, PAR_SEQ, PAR,
    _c("line", "int", "Line of the opener."),
    _c("end_line", "int", "Line of the closer (or of the unit's end if unclosed)."),
    _c("start_offset", "int", "Offset of the opener."),
    _c("end_offset", "int", "Offset just past the closer (end of the unit when unclosed)."),
    _c("text", "str", "The span as written, brackets included: `source[start_offset:end_offset]`; for a span nested deeper than 8 levels only its first 100 characters (then `len(text) < end_offset - start_offset`; diagnostics `span_text_cut`), so the column stays linear in the source."),
    _c("opener", "str", "Opening character: `[` (or `{`, used once in the CND)."),
    _c("is_closed", "bool", "False when no closer was found in the unit (see diagnostics `unclosed_bracket`)."),
    _c("is_attributed", "bool", "True when the span carries a delegation tail or delegation list (it is, or holds at top level, a proposal with positions)."),
    _c("is_struck", "bool", "True when the opener is inside `~~strikethrough~~` or more than half the span is struck."),
), ("doc_id", "bracket_id")))

_register(Table("proposals", "One row per proposal: proposed wording and its sponsor tail (CND) or delegation list (6th session).", (
    DOC,
    _c("proposal_id", "str", "`<doc_id>:P<nnnn>`, in order of the proposal's start offset."),
    ART_SEQ, ART, PAR_SEQ, PAR,
    _c("bracket_id", "int", "Bracket span holding the proposal (0 = none)."),
    LINE,
    _c("start_offset", "int", "Offset where the proposal starts."),
    _c("end_offset", "int", "Offset just past its end."),
    _c("text", "str", "Proposed wording without its sponsor tail (empty for pure position statements)."),
    _c("kind", "str", "insert / replace / delete / position / new_article / other.", PROPOSAL_KINDS),
    _c("sponsors", "str", "Delegation codes or names as written, `, `-separated; stance groups separated by `; `."),
    _c("tail", "str", "The sponsor tail as written."),
    _c("is_struck", "bool", "True when the proposal sits in struck text."),
    _c("confidence", "float", "1.0 for clean text; the recovery confidence for damaged text."),
), ("doc_id", "proposal_id")))

_register(Table("positions", "One row per delegation per proposal per stance.", (
    DOC,
    _c("proposal_id", "str", "Proposal the position belongs to."),
    ART_SEQ, ART, LINE,
    _c("offset", "int", "Offset of the code or name in the source."),
    _c("code_as_written", "str", "Delegation code or name as written (damaged form for the 6th session)."),
    _c("delegation_id", "str", "Registry id (`delegations.delegation_id`); empty when doubtful, unknown or ambiguous."),
    _c("stance", "str", "sponsor (proposes the wording) / retain / delete / against / original (prefers the original wording) / retain_original / integrate (into another paragraph) / move (elsewhere) / alt (offers an alternative) / keep.", STANCES),
    _c("resolution", "str", "How the code or name was resolved: exact / alias / flagged (valid code with a caveat, e.g. PL, AT) / doubtful (kept unresolved, e.g. MO) / unknown / not_a_code / recovered (damaged name read with confidence) / ambiguous (several candidates; see `candidates`).", RESOLUTIONS),
    _c("confidence", "float", "1.0 for clean codes; recovery confidence for damaged names."),
    _c("damaged", "str", "Damaged source string that was read (6th-session recovery), else empty."),
    _c("candidates", "str", "Other candidate delegation ids, `|`-separated (ambiguous recoveries)."),
), ("doc_id", "proposal_id", "offset", "stance")))

_register(Table("delegations", "The delegation registry: UN Member States, observer States, the EU and CARICOM.", (
    _c("delegation_id", "str", "ISO 3166-1 alpha-3 for States; `EU`, `CARICOM` for the organizations."),
    _c("name", "str", "UN short name."),
    _c("iso2", "str", "ISO 3166-1 alpha-2 (empty for organizations). Namibia is `NA`."),
    _c("iso3", "str", "ISO 3166-1 alpha-3 (empty for organizations)."),
    _c("un_regional_group", "str", "UN regional group (empty for organizations)."),
    _c("kind", "str", "state / observer state / regional organization."),
    _c("notes", "str", "Notes (group membership caveats, how the documents refer to it)."),
), ("delegation_id",)))

_register(Table("diagnostics", "Everything a stage could not interpret, with its line.", (
    DOC, LINE,
    _c("stage", "str", "Stage that reported it: clean / decode / segment / brackets / sponsors / recover."),
    _c("kind", "str", "Kind of problem (e.g. unmatched_closer, unclosed_bracket, unknown_code, malformed_tail)."),
    _c("message", "str", "What was found and what was done about it."),
), ("doc_id", "line", "stage", "kind", "message")))


_register(Table("corpus_counts", "Rows per table per document (the corpus overview).", (
    DOC,
    _c("session_order", "int", "Chronological order of the document."),
    _c("n_lines", "int", "Lines in the source file."),
    _c("n_chapters", "int", "Rows in `chapters`."),
    _c("n_articles", "int", "Rows in `articles`."),
    _c("n_proposed_articles", "int", "Articles proposed as a whole by delegations (`articles.is_proposed`)."),
    _c("n_paragraphs", "int", "Rows in `paragraphs`."),
    _c("n_words", "int", "Words in all paragraphs (see `articles.n_words`)."),
    _c("n_brackets", "int", "Rows in `brackets` (nested spans included)."),
    _c("n_proposals", "int", "Rows in `proposals`."),
    _c("n_positions", "int", "Rows in `positions`."),
    _c("n_delegations", "int", "Distinct resolved `positions.delegation_id`."),
    _c("n_diagnostics", "int", "Rows in `diagnostics`."),
    _c("share_lines_parsed", "float", "Share of non-blank lines that belong to a chapter/article heading, paragraph, preamble or note (the rest is layout: cover, footers, page numbers, footnotes, separators)."),
), ("doc_id",)))

# --- recovery of the damaged 6th-session document (issue 3) ---
_BENCH_KEYS = (
    _c("seeds", "str", "Random seeds of the synthetic lists, space-separated (held-out seeds, never used while tuning)."),
    _c("sampling", "str", "How names were drawn: `uniform` over the registry, or `activity` (weights 1 + positions in ahc4-cnd).", ("uniform", "activity")),
    _c("prior", "str", "Delegation prior of the reader: `uniform`, or `em` (fitted by EM to the damaged lists themselves).", ("uniform", "em")),
)

_register(Table("recovery_benchmark", "Damaged-name recovery on synthetic lists (`treatydrafts.recover.benchmark_tables`): known name lists damaged with the measured loss model and read back; name-level precision and recall overall and by list length, separator and free-text prefix.", (
    *_BENCH_KEYS,
    _c("group", "str", "Breakdown: `all`, `list_length`, `separator` or `prefix`."),
    _c("value", "str", "Value of the breakdown (`all` for the overall row; separators as Python reprs)."),
    _c("lists", "int", "Synthetic lists."),
    _c("true_names", "int", "Names in the lists."),
    _c("resolved", "int", "Names read with a delegation id (posterior ≥ recover.ACCEPT)."),
    _c("ambiguous", "int", "Names read but left unresolved (posterior < recover.ACCEPT), with candidates."),
    _c("precision", "float", "Correct resolved names / resolved names (multiset match within each list)."),
    _c("recall", "float", "Correct resolved names / true names."),
    _c("stance_recall", "float", "Names resolved with the right delegation and stance group / true names."),
), ("sampling", "prior", "group", "value")))

_register(Table("recovery_calibration", "Confidence vs accuracy of the top candidate for every name read in the synthetic benchmark (held-out seeds).", (
    *_BENCH_KEYS,
    _c("bin", "str", "Confidence bin `[lo, hi)` of the top candidate's posterior."),
    _c("n", "int", "Names read in the bin."),
    _c("mean_confidence", "float", "Mean posterior of the top candidate."),
    _c("accuracy", "float", "Share of those names whose top candidate is right."),
), ("sampling", "prior", "bin")))

_register(Table("loss_profile", "How likely a character of the Chair's draft is to survive in the damaged `ahc6-amended-draft`, from amendment-free lines aligned to the same article (`treatydrafts.recover.measure_loss`).", (
    _c("level", "str", "`cell` (character × position in word), `character`, `position` or `overall`.", ("cell", "character", "position", "overall")),
    _c("char_key", "str", "Character class: a lowercase letter (accents folded), `UPPER`, `DIGIT`, `SPACE` or the punctuation mark; empty for position/overall rows."),
    _c("position", "str", "Position in the word: first / middle / last / single, `na` for non-alphanumerics; empty for character/overall rows."),
    _c("kept", "int", "Aligned characters kept."),
    _c("total", "int", "Aligned characters."),
    _c("keep_rate", "float", "Smoothed keep probability used by the recovery (add-4 towards the character and position rates)."),
), ("level", "char_key", "position")))


# --- coalition networks (issue 4) ---
_NETWORK = _c("network", "str", "Layer: `cosponsorship` (both sponsor the same wording), `agreement` (same stance group on a proposal) or `opposition` (opposite sides of a proposal's wording; see `treatydrafts.networks`).")

_register(Table("coalition_nodes", "One row per delegation per document with a usable position: its bloc and centrality in the agreement network (`treatydrafts.networks`).", (
    DOC,
    _c("delegation_id", "str", "Registry id (`delegations.delegation_id`)."),
    _c("name", "str", "UN short name of the delegation."),
    _c("regional_group", "str", "UN regional group; `(organization)` for the EU and CARICOM."),
    _c("bloc", "int", "Louvain community of the agreement network (fixed seed and insertion order), numbered 1.. by size; 0 = unaligned (community of fewer than 3 delegations, or no ties)."),
    _c("bloc_stability", "float", "Mean share of Louvain runs (30 seeds × resolutions 0.8/1.0/1.2) placing the delegation with each other member of its bloc; 0 for unaligned."),
    _c("n_proposals", "int", "Proposals on which the delegation took a usable position (any stance)."),
    _c("n_sponsored", "int", "Proposals the delegation sponsored."),
    _c("degree", "int", "Number of agreement ties."),
    _c("weighted_degree", "float", "Sum of agreement-tie weights (Newman collaboration weighting, 1/(n−1) per proposal with n participants)."),
    _c("betweenness", "float", "Normalised betweenness centrality in the agreement network (edge length = 1 / weight)."),
    _c("participation", "float", "Participation coefficient: 1 − Σ_s (share of weighted degree towards bloc s)²; 0 = all ties inside one bloc."),
), ("doc_id", "delegation_id")))

_register(Table("coalition_edges", "One row per pair of delegations per network layer per document (`treatydrafts.networks`); `source` < `target`.", (
    DOC, _NETWORK,
    _c("source", "str", "First delegation id (alphabetically)."),
    _c("target", "str", "Second delegation id."),
    _c("weight", "float", "Sum over the edge's proposals of 1/(n−1) (n = sponsors for cosponsorship, participants otherwise), times both positions' confidence."),
    _c("sign", "int", "+1 co-sponsorship / agreement, −1 opposition."),
    _c("n_proposals", "int", "Number of distinct proposals behind the edge (listed in `coalition_ties`)."),
), ("doc_id", "network", "source", "target")))

_register(Table("coalition_ties", "The proposals behind every coalition edge: one row per pair per layer per proposal (`networks.edge_proposals` adds the source lines).", (
    DOC, _NETWORK,
    _c("source", "str", "First delegation id (alphabetically)."),
    _c("target", "str", "Second delegation id."),
    _c("proposal_id", "str", "Proposal that creates the tie (`proposals.proposal_id`)."),
    LINE, ART,
    _c("stance_source", "str", "Stance of `source` on the proposal."),
    _c("stance_target", "str", "Stance of `target` on the proposal."),
    _c("weight", "float", "This proposal's contribution to the edge weight."),
    _c("n_participants", "int", "n in the 1/(n−1) weight: sponsors (cosponsorship) or delegations with any position (agreement, opposition)."),
), ("doc_id", "network", "source", "target", "proposal_id")))

# --- criminalization scope (issue 5) ---
ART_CLASSES = ("offence", "general_part", "bridging", "other")
LINEAGE_RELATIONS = ("same", "renamed", "merged", "split", "absorbed", "dropped", "re-proposed", "new")
OFFENCE_CATEGORIES = ("cyber-dependent", "cyber-enabled", "content-related", "other")
_CLASS = _c("article_class", "str", "What the article does: " + " / ".join(ART_CLASSES) + " (see `scope.classify_article`).")
_GP_KIND = _c("general_part_kind", "str", "For general-part articles: legal_persons / participation_attempt / intent / limitations / sanctions / jurisdiction; else empty.")
_EVIDENCE = _c("evidence", "str", "The wording that decided the class, as matched (title or text), or `inherited from <doc> art. <n>` (lineage).")
_EVIDENCE_LINE = _c("evidence_line", "int", "Source line of the evidence (heading line for title evidence; 0 = none).")
_EVIDENCE_SOURCE = _c("evidence_source", "str", "Where the evidence was found: text / title / lineage / none.")

_register(Table("article_classes", "Offence classifier: one row per article of every document, with its evidence.", (
    DOC, ART_SEQ, ART,
    _c("chapter", "str", "Label of the chapter holding the article."),
    _c("title", "str", "Article title as written (articles.title)."),
    _CLASS, _GP_KIND,
    _c("is_offence", "bool", "True when article_class is `offence`."),
    _EVIDENCE, _EVIDENCE_LINE, _EVIDENCE_SOURCE,
), ("doc_id", "article_seq")))

_register(Table("offence_inventory", "One row per article of every criminalization chapter (non-offence articles included, is_offence false).", (
    DOC, ART_SEQ, ART,
    _c("session_order", "int", "documents.session_order of the draft."),
    _c("chapter", "str", "Chapter label (the criminalization chapter)."),
    _c("title", "str", "Article title as written."),
    _c("is_offence", "bool", "The article establishes one or more criminal offences (article_class == `offence`)."),
    _c("is_proposed", "bool", "Proposed by delegations rather than base text: articles.is_proposed, or a suffixed label (`10 bis`, `18 alt`, `15 octies`) inserted into the base numbering."),
    _c("proposed_rule", "str", "Why is_proposed is true: `segmenter` (articles.is_proposed) / `label suffix`; empty for base text."),
    _CLASS, _GP_KIND,
    _c("category", "str", "For offences: " + " / ".join(OFFENCE_CATEGORIES) + " (codebook in notebook 02); empty for non-offences."),
    _c("category_rule", "str", "Title wording that decided the category, or `inherited from <doc> art. <n>`."),
    _EVIDENCE, _EVIDENCE_LINE, _EVIDENCE_SOURCE,
    _c("start_line", "int", "Line of the article heading."),
    _c("end_line", "int", "Last line of the article."),
    _c("n_words", "int", "articles.n_words (words in the article's paragraphs, bracketed and struck text included)."),
    _c("n_conducts", "int", "Prohibited conducts in an offence article: plain-labelled subparagraphs `(a)`, `(b)` … under an operative paragraph, else the number of operative paragraphs (min 1). 0 for non-offences; -1 = not measurable (damaged text)."),
), ("doc_id", "article_seq")))

_register(Table("article_lineage", "Article crosswalk between drafts (criminalization chapters): automatic title/text matching, reviewed by hand in `data/article_lineage_reviewed.csv`.", (
    _c("from_doc", "str", "Earlier document."),
    _c("from_article_seq", "int", "article_seq in from_doc (0 for `new`: no predecessor)."),
    _c("from_article", "str", "Article label in from_doc (empty for `new`)."),
    _c("from_title", "str", "Title of the from article."),
    _c("to_doc", "str", "Later document."),
    _c("to_article_seq", "int", "article_seq in to_doc (0 for `dropped`)."),
    _c("to_article", "str", "Article label in to_doc (empty for `dropped`)."),
    _c("to_title", "str", "Title of the to article."),
    _c("relation", "str", "One of: " + " / ".join(LINEAGE_RELATIONS) + " (`new`: no predecessor in from_doc)."),
    _c("score", "float", "Similarity of the two articles in [0, 1] (for `dropped` / `new`: best similarity found on the other side)."),
    _c("title_score", "float", "TF-IDF cosine of the normalised titles (character 3–5-grams)."),
    _c("text_score", "float", "TF-IDF cosine of the article texts (words); 0 when either text is damaged (ahc6-amended-draft)."),
    _c("method", "str", "`reviewed` (row of the reviewed crosswalk) or `auto` (automatic match not in the reviewed file)."),
    _c("confirmed", "bool", "True when a person checked the link against both texts."),
    _c("note", "str", "Reviewer's note (why merged / absorbed / …), or the automatic matcher's note."),
), ("from_doc", "from_article_seq", "to_doc", "to_article_seq")))

_register(Table("scope_measures", "Criminalization-scope measures per draft, in session order, for two series: `negotiating` (ahc4-cnd → ahc6-chair-draft → ahc6-amended-draft) and `with_expert` (expert-2023-proposal placed between the CND and the Chair's draft).", (
    _c("series", "str", "`negotiating` or `with_expert`."),
    DOC,
    _c("session_order", "int", "documents.session_order."),
    _c("kind", "str", "documents.kind."),
    _c("has_criminalization_chapter", "bool", "False for drafts without one (ahc3-uk-submission); their counts are -1 (not applicable), never 0."),
    _c("previous_doc", "str", "Draft the flows are measured against (empty for the first)."),
    _c("n_articles", "int", "Articles in the criminalization chapter."),
    _c("n_offences", "int", "Offence articles."),
    _c("n_offences_base", "int", "Offence articles of the base text."),
    _c("n_offences_proposed", "int", "Offence articles proposed by delegations."),
    _c("n_general_part", "int", "General-part articles in the chapter."),
    _c("n_bridging", "int", "Bridging clauses (offences under other treaties)."),
    _c("n_words_chapter", "int", "Words in the criminalization chapter's articles (sum of articles.n_words)."),
    _c("n_conducts", "int", "Distinct prohibited conducts (sum of offence_inventory.n_conducts); -1 = not measurable."),
    _c("n_cyber_dependent", "int", "Offence articles coded cyber-dependent."),
    _c("n_cyber_enabled", "int", "Offence articles coded cyber-enabled."),
    _c("n_content_related", "int", "Offence articles coded content-related."),
    _c("n_other_category", "int", "Offence articles coded other."),
    _c("n_kept", "int", "Offence articles of previous_doc kept (relation same or renamed)."),
    _c("n_merged", "int", "Offence articles of previous_doc merged into or absorbed by another article."),
    _c("n_split", "int", "Offence articles of previous_doc split into several."),
    _c("n_dropped", "int", "Offence articles of previous_doc dropped."),
    _c("n_reproposed", "int", "Offence articles re-proposed (dropped earlier, back in this draft as a delegation proposal)."),
    _c("n_new", "int", "Offence articles with no predecessor."),
    _c("note", "str", "What the row means where counts are not applicable."),
), ("series", "doc_id")))

_register(Table("offence_reproposals", "Who proposed re-adding dropped offences at the 6th session: positions (from the damaged-text recovery) on articles linked `re-proposed` in article_lineage.", (
    DOC, ART_SEQ, ART,
    _c("title", "str", "Title of the re-proposed article."),
    _c("from_article", "str", "The ahc4-cnd article it re-proposes."),
    _c("proposal_id", "str", "positions.proposal_id."),
    _c("offset", "int", "positions.offset."),
    _c("code_as_written", "str", "Delegation name as read from the damaged text."),
    _c("delegation_id", "str", "Registry id (empty when doubtful)."),
    _c("stance", "str", "positions.stance (sponsor = proposes re-adding; delete = opposes)."),
    _c("confidence", "float", "Recovery confidence."),
), ("doc_id", "article_seq", "proposal_id", "offset", "stance")))

# --- bracket density (issue 6) ---

_register(Table("bracket_density", (
    "Bracket density per document × article (`treatydrafts.density`). One bracket = one opener (`[`, or the CND's "
    "single `{`) with its closer; nested spans count on their own, adjacent spans separately; an opener never closed "
    "in its article is still one span (`n_unclosed`); a closer without opener is not a span (`n_unmatched_closers`); "
    "struck spans count (`n_struck`). A span belongs to the article holding its opener line (heading included). "
    "Rows of `ahc6-amended-draft` are estimates (`is_estimate`): most of its `[` were lost in extraction; "
    "`-1` there marks what the damaged text cannot show."), (
    DOC, ART_SEQ, ART,
    _c("chapter", "str", "Chapter label of the article (`articles.chapter`)."),
    _c("title", "str", "Article title (`articles.title`)."),
    _c("start_line", "int", "First line of the article (its heading): every count traces to lines start_line..end_line."),
    _c("end_line", "int", "Last line of the article."),
    _c("n_words", "int", "Words (runs of letters/digits) on the article's text lines, heading included (layout, footnote and blank lines excluded), as written, struck and bracketed text included. Estimate for the damaged draft: counted characters / character survival rate / characters per word of the Chair's draft."),
    _c("n_chars", "int", "Characters on the article's text lines that count for the share: not whitespace, not `~` strikethrough markers (struck text itself counts). For the damaged draft: the decoded characters that survived."),
    _c("n_brackets", "int", "Bracket spans whose opener lies in the article, nested ones included (= `n_attributed + n_unattributed`). Damaged draft: posterior median of the true number (see `n_open_observed`)."),
    _c("n_top_level", "int", "Spans at depth 1 (not inside another span). -1 = not observable (damaged draft)."),
    _c("n_attributed", "int", "Spans carrying a delegation tail/list (`brackets.is_attributed`). Damaged draft: recovered amendment lists with at least one position, capped at n_brackets."),
    _c("n_unattributed", "int", "Spans without delegation attribution: alternative terms, placeholders, untagged wording (nested ones included)."),
    _c("n_placeholders", "int", "Spans that are placeholders to fill in (`[date]`, `[city]`, `[place]`, `[country]`, …): bracketed but not contested wording; included in n_brackets."),
    _c("n_struck", "int", "Spans flagged `is_struck` (opener inside `~~…~~` or more than half struck)."),
    _c("n_unclosed", "int", "Spans whose opener has no closer in the article (`is_closed` false). -1 = not observable (damaged draft)."),
    _c("n_unmatched_closers", "int", "Closers with no opener in the article (`unmatched_closer` diagnostics on the article's lines); not spans."),
    _c("max_depth", "int", "Deepest nesting level among the article's spans (0 = no brackets; -1 = not observable, damaged draft)."),
    _c("bracketed_char_share", "float", "Share of n_chars lying inside the union of the article's spans (bracket characters included); an unclosed span is cut at the end of the paragraph holding its opener (of its line outside paragraphs). In [0, 1]; -1 = not observable (damaged draft)."),
    _c("brackets_per_1000_words", "float", "1000 × n_brackets / n_words (0 when n_words is 0)."),
    _c("n_options", "int", "Substitute or additional wordings on offer beyond the first: n_alt_paragraphs + n_added_paragraphs + n_alternative_terms + 1 if the article's own label has `alt`."),
    _c("n_alt_paragraphs", "int", "Paragraphs whose label contains `alt` (`2 alt`, `(a) alt`): alternatives to a paragraph."),
    _c("n_added_paragraphs", "int", "Paragraphs labelled with a Latin ordinal (`bis`, `ter`, `quater`, `quat`, …; `2 bis`, `(c) ter`): wordings offered in addition to or instead of the numbered ones."),
    _c("n_alternative_terms", "int", "Extra terms of adjacent-alternative choices: closed unattributed non-placeholder sibling spans separated only by space, `/`, `or` or `,`; a choice of k terms counts k - 1 (`[computer data] [digital information]` = 1)."),
    _c("n_proposals", "int", "Rows of `proposals` in the article."),
    _c("n_delegations", "int", "Distinct non-empty `positions.delegation_id` on the article's proposals (any stance)."),
    _c("is_estimate", "bool", "True where the bracket measures are inferred (the damaged `ahc6-amended-draft`), false where counted."),
    _c("n_brackets_low", "int", "Lower end of the 90% interval of n_brackets (= n_brackets when counted)."),
    _c("n_brackets_high", "int", "Upper end of the 90% interval of n_brackets (= n_brackets when counted)."),
    _c("brackets_per_1000_words_low", "float", "1000 × n_brackets_low / n_words."),
    _c("brackets_per_1000_words_high", "float", "1000 × n_brackets_high / n_words."),
    _c("n_open_observed", "int", "Openers seen in the text (spans found); the input of the estimate for the damaged draft."),
    _c("n_close_observed", "int", "Closers seen in the text: closed spans + unmatched closers."),
), ("doc_id", "article_seq")))

_register(Table("bracket_survival", (
    "How often `[` and `]` survived the extraction of `ahc6-amended-draft`: every closed top-level bracket of the "
    "Chair's draft (`ahc6-chair-draft`) inside an article, with its context, looked for in the damaged text of the "
    "same article (`treatydrafts.density.measure_survival`)."), (
    _c("ref_doc", "str", "Reference (clean) document: `ahc6-chair-draft`."),
    _c("ref_line", "int", "Line of the reference bracket."),
    _c("ref_offset", "int", "Offset of the bracket character in the reference file."),
    _c("char", "str", "`[` or `]`."),
    _c("article", "str", "Article label (same in both drafts)."),
    DOC,
    _c("start_line", "int", "First line of the damaged article searched."),
    _c("end_line", "int", "Last line of the damaged article searched."),
    _c("match_offset", "int", "Offset in the damaged file where the context matched best (end, exclusive)."),
    _c("match_score", "float", "Alignment score per context character: +2 match, -1 reference character lost, -2 extra damaged character (2 = intact; ~0.8 = typical 39% loss; < 0.5 = not the same passage)."),
    _c("is_unamended", "bool", "match_score >= 0.5: the passage counts as unamended and the bracket as observed."),
    _c("survived", "bool", "The bracket character is present in the damaged text at the matched place (only on unamended passages)."),
), ("ref_doc", "ref_offset")))

_register(Table("bracket_density_drafts", (
    "Per-draft summary in the style of climate-talks bracket trackers: sums over the articles of `bracket_density` "
    "(brackets outside articles, e.g. in a table of contents, are not counted)."), (
    DOC,
    _c("session_order", "int", "Chronological order of the document (`documents.session_order`)."),
    _c("n_articles", "int", "Articles in the document."),
    _c("n_words", "int", "Sum of bracket_density.n_words (estimate for the damaged draft)."),
    _c("n_brackets", "int", "Sum of n_brackets (estimate for the damaged draft)."),
    _c("n_brackets_low", "int", "Lower end of the 90% interval of the sum (estimate; = n_brackets when counted): joint posterior over articles."),
    _c("n_brackets_high", "int", "Upper end of the 90% interval of the sum."),
    _c("n_attributed", "int", "Sum of n_attributed."),
    _c("n_placeholders", "int", "Sum of n_placeholders."),
    _c("brackets_per_1000_words", "float", "1000 × n_brackets / n_words."),
    _c("n_bracketed_articles", "int", "Articles with at least one bracket (placeholders excluded); estimate rows: n_brackets_low > 0."),
    _c("n_options", "int", "Sum of n_options."),
    _c("n_proposals", "int", "Sum of n_proposals."),
    _c("n_delegations", "int", "Distinct delegations with a position anywhere in the document's articles."),
    _c("is_estimate", "bool", "True for the damaged draft."),
), ("doc_id",)))

ALIGN_METHODS = ("self", "lineage", "label", "title", "none")

_register(Table("bracket_density_alignment", (
    "Every article of `bracket_density` mapped to an article of the Chair's draft (`ahc6-chair-draft`), the rows of "
    "the bracket-density heatmap (`treatydrafts.density.align_articles`)."), (
    DOC, ART_SEQ,
    _c("ref_article_seq", "int", "article_seq of the aligned article in `ahc6-chair-draft` (0 = none)."),
    _c("ref_article", "str", "Label of the aligned article (empty when none)."),
    _c("method", "str", "How it was aligned: self (the Chair's draft itself) / lineage (`article_lineage` links it to the Chair's draft) / label (the damaged `ahc6-amended-draft`: same article label) / title (most similar title, ratio >= 0.6) / none.", ALIGN_METHODS),
    _c("ratio", "float", "Title similarity in [0, 1] (difflib ratio of the normalised titles) for `title` and `none`; 1 for self, lineage and label."),
), ("doc_id", "article_seq")))


def read_text_csv(path) -> pd.DataFrame:
    """Read a CSV with every column as ``str`` and no NA guessing: empty cells stay ``""``
    and Namibia's ``NA`` stays a string (a plain ``pd.read_csv`` would make it missing)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")


def empty_frame(name: str) -> pd.DataFrame:
    """An empty DataFrame with the table's columns and dtypes."""
    t = TABLES[name]
    return pd.DataFrame({c.name: pd.Series([], dtype=DTYPES[c.dtype]) for c in t.columns})


def validate(df: pd.DataFrame, name: str, sort: bool = True) -> pd.DataFrame:
    """Check ``df`` against table ``name``: exact columns, dtypes, no missing
    values, unique primary key.  Returns a copy cast to the declared dtypes,
    in declared column order, sorted by primary key (when ``sort``).
    """
    t = TABLES[name]
    missing = [c for c in t.names if c not in df.columns]
    extra = [c for c in df.columns if c not in t.names]
    if missing or extra:
        raise SchemaError(f"table {name!r}: missing columns {missing}, unexpected columns {extra}")
    out = df[t.names].copy()
    for col in t.columns:
        s = out[col.name]
        if s.isna().any():
            raise SchemaError(f"table {name!r}: column {col.name!r} has {int(s.isna().sum())} missing values")
        try:
            if col.dtype == "str":
                bad = s.map(lambda v: not isinstance(v, str))
                if bad.any():
                    raise SchemaError(f"table {name!r}: column {col.name!r} holds non-strings, e.g. {s[bad].iloc[0]!r}")
                if col.values:
                    unknown = sorted(set(s) - set(col.values))
                    if unknown:
                        raise SchemaError(f"table {name!r}: column {col.name!r} has values outside "
                                          f"{list(col.values)}: {unknown[:5]}")
                out[col.name] = s.astype(object)
            elif col.dtype == "bool":
                if s.dtype != bool and not set(pd.unique(s)) <= {True, False}:
                    raise SchemaError(f"table {name!r}: column {col.name!r} is not boolean")
                out[col.name] = s.astype(bool)
            else:
                out[col.name] = s.astype(DTYPES[col.dtype])
        except SchemaError:
            raise
        except (TypeError, ValueError) as exc:
            raise SchemaError(f"table {name!r}: column {col.name!r} cannot be {col.dtype}: {exc}") from None
    if t.primary_key and len(out):
        dup = out.duplicated(list(t.primary_key), keep=False)
        if dup.any():
            raise SchemaError(
                f"table {name!r}: primary key {t.primary_key} not unique, e.g. "
                f"{out.loc[dup, list(t.primary_key)].head(3).to_dict('records')}"
            )
    if sort and t.primary_key:
        out = out.sort_values(list(t.primary_key), kind="mergesort").reset_index(drop=True)
    return out


def data_dictionary_markdown() -> str:
    """The data dictionary (docs/data-dictionary.md), generated from TABLES."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `src/treatydrafts/schema.py` by `treatydrafts build`; do not edit by hand.",
        "Every table is written to `data/<table>.csv` and `data/<table>.parquet`.",
        "",
        __doc__.split("\n\n", 1)[1].strip(),
        "",
    ]
    for t in TABLES.values():
        if not t.exported:
            continue
        out += [f"## `{t.name}`", "", t.description, "", f"Primary key: {', '.join(f'`{k}`' for k in t.primary_key)}", "",
                "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{c.name}` | {c.dtype} | {c.meaning.replace('|', '/')}"
                + (f" Allowed: {', '.join(f'`{v}`' for v in c.values)}." if c.values else "") + " |" for c in t.columns]
        out.append("")
    return "\n".join(out)
