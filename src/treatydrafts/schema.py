"""The one column dictionary: every table's columns, dtypes and meanings.

:data:`FIELDS` defines every column name once (dtype, meaning, allowed
values), as PUDL's ``fields.py`` does; a table lists the names of its
columns, and where the generic meaning needs the table's context (what an
``n_words`` counts in this table, what ``text`` holds) the table carries a
``meanings`` override for that column, as PUDL's per-resource field
metadata.  A name never changes its dtype between tables.

Everything else derives from here: table validation (:func:`validate`), the
data dictionary in ``docs/data-dictionary.md`` (:func:`data_dictionary_markdown`)
and the column order of every exported CSV / Parquet file.

**Missing values.**  Text is never missing: an absent text is the empty
string, so codes such as Namibia's ``NA`` stay text.  A number is missing
only in a column a table declares ``nullable`` (a count that does not apply,
or cannot be measured in the damaged draft): pandas ``Int64`` / ``NaN``,
null in Parquet, an empty unquoted cell in the CSV.  :func:`validate`
rejects a missing value anywhere else.

Naming conventions: :data:`CONVENTIONS` (shown at the top of the data dictionary).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import vocab
from .errors import SchemaError

DTYPES = {"str": object, "int": "int64", "float": "float64", "bool": "bool"}
# the pandas dtype of a nullable column (text and booleans are never missing)
NULLABLE_DTYPES = {"int": "Int64", "float": "float64"}

LINE_ROLES = vocab.LINE_ROLES


@dataclass(frozen=True)
class Field:
    """One column name, defined once: its dtype and generic meaning."""

    name: str
    dtype: str  # "str" | "int" | "float" | "bool"
    meaning: str
    values: tuple[str, ...] = ()  # allowed values of a categorical column (empty = any)
    is_date: bool = False  # text holding an ISO 8601 calendar date (typed `date` in the data package)
    references: str = ""  # "table.column" the values point to (a foreign key; empty text = none)


@dataclass(frozen=True)
class Column:
    """A field as used by one table (its meaning there, allowed values, and whether it may be missing)."""

    name: str
    dtype: str
    meaning: str
    values: tuple[str, ...] = ()
    nullable: bool = False  # may hold missing values (numbers only): "not applicable" / "not measurable"

    @property
    def pandas_dtype(self):
        return NULLABLE_DTYPES[self.dtype] if self.nullable else DTYPES[self.dtype]


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

    @property
    def nullable(self) -> list[str]:
        """Columns that may hold missing values."""
        return [c.name for c in self.columns if c.nullable]


STANCES = ("sponsor", "retain", "delete", "against", "original", "retain_original", "integrate", "move",
           "alt", "keep")
PROPOSAL_KINDS = ("insert", "replace", "delete", "position", "new_article", "other")
RESOLUTIONS = ("exact", "alias", "flagged", "doubtful", "unknown", "not_a_code", "recovered", "ambiguous")

ART_CLASSES = ("offence", "general_part", "bridging", "other")
LINEAGE_RELATIONS = ("same", "renamed", "merged", "split", "absorbed", "dropped", "re-proposed", "new")
OFFENCE_CATEGORIES = ("cyber-dependent", "cyber-enabled", "content-related", "other")
ALIGN_METHODS = ("self", "lineage", "label", "title", "none")
# proposal outcomes, provisions and influence (issue 15)
PROPOSAL_OUTCOMES = ("verbatim", "substance", "not_taken_up", "deletion_achieved", "deletion_not_achieved",
                     "article_dropped", "unclear")
UNIT_GROUPS = ("sponsor", "delete")
TARGETS = ("wording", "paragraph", "article")
CONFIDENCE_LEVELS = ("high", "medium", "low")
ADOPTED_VERIFIED = ("yes", "secondary", "inferred")
ADOPTED_RELATIONS = ("same", "renamed", "moved", "new")
FATES = ("in_convention", "dropped_by_chair", "re_proposed", "proposed_at_ahc6", "new_in_convention", "not_mapped")
PROVISION_RELATIONS = ("origin",) + LINEAGE_RELATIONS

# ---------------------------------------------------------------- fields
# One definition per column name (as PUDL's fields.py): dtype, meaning, allowed values.
def _fields(*fields: Field) -> dict[str, Field]:
    out: dict[str, Field] = {}
    for f in fields:
        if f.name in out:
            raise SchemaError(f"field {f.name!r} defined twice")
        out[f.name] = f
    return out


FIELDS: dict[str, Field] = _fields(
    Field('doc_id', 'str', 'Source document id (see the `documents` table).', references='documents.doc_id'),
    Field('file', 'str', 'File name under `seeds/` (vendored byte-for-byte from the source).'),
    Field('sha256', 'str', "SHA-256 of the file's bytes."),
    Field('un_symbol', 'str', 'UN document symbol where there is one (e.g. `A/AC.291/22`).'),
    Field('title', 'str', "Title of the row's document, chapter or article, as written."),
    Field('display_title', 'str', "The article's title for readers: its base wording with bracket notation and proposals resolved (`treatydrafts.parse.titles`: struck base text kept, proposals dropped, the first of alternative wordings kept); for a draft that amends a base draft, the base's display title of the same article. Empty when the article has no title."),
    Field('session', 'str', 'Ad Hoc Committee session the document belongs to.'),
    Field('session_order', 'int', 'Chronological order of the documents (`documents.session_order`; 1 = earliest).'),
    Field('date', 'str', 'Date of the document (ISO 8601, `YYYY-MM-DD`).', is_date=True),
    Field('kind', 'str', 'What kind of thing the row is (the allowed values depend on the table).'),
    Field('notation', 'str', 'Notation and extraction quirks of the file.'),
    Field('parser', 'str', 'Segmenter used for the document.'),
    Field('n_lines', 'int', 'Number of source lines the row counts.'),
    Field('n_chars', 'int', 'Number of characters the row counts.'),
    Field('line', 'int', '1-based line number in the source file.'),
    Field('role', 'str', 'What the line is: blank, cover, separator, chapter_heading, cluster_heading, article_heading, paragraph, preamble, note, footnote, footer, page_number.', LINE_ROLES),
    Field('article_seq', 'int', 'Ordinal of the article within its document (1..n, document order); 0 = outside any article.'),
    Field('paragraph_seq', 'int', 'Ordinal of the paragraph within its document (1..n); 0 = not in a paragraph.'),
    Field('start_offset', 'int', "Offset of the row's item's first character (0-based)."),
    Field('end_offset', 'int', "Offset just past the row's item (0-based, end exclusive)."),
    Field('chapter_seq', 'int', 'Ordinal of the chapter within its document.'),
    Field('chapter', 'str', 'Chapter label as written (`I`, `II`; the UK submission uses the chapter title); for an article, the chapter holding it (empty if none).'),
    Field('start_line', 'int', "First 1-based line of the row's item in the source file (its heading, for chapters and articles)."),
    Field('end_line', 'int', "Last 1-based line of the row's item in the source file."),
    Field('cluster', 'str', 'Cluster label in the CND (`1`..`11`); empty elsewhere.'),
    Field('article', 'str', 'Article label as written, spacing normalised: `6`, `10 bis`, `18 alt`; empty outside articles.'),
    Field('article_num', 'int', 'Leading article number (-1 where the heading has none).'),
    Field('is_proposed', 'bool', 'Proposed by a delegation rather than part of the base text.'),
    Field('heading_line', 'int', 'Line where the heading starts (same as start_line unless the heading was inferred).'),
    Field('n_paragraphs', 'int', 'Number of paragraphs the row counts.'),
    Field('n_words', 'int', 'Words (runs of letters or digits, as written, bracketed and struck text included) the row counts.'),
    Field('paragraph', 'str', 'Paragraph label as written, normalised: `1`, `2 bis`, `(a)`, `(c) ter`; empty for unlabelled text.'),
    Field('text', 'str', "The row's text as written (decoded for glyph-encoded files)."),
    Field('bracket_id', 'int', 'Ordinal of a bracket span within its document, in order of the opener (`brackets.bracket_id`; 0 = none).'),
    Field('parent_id', 'int', 'bracket_id of the enclosing span (0 = top level).'),
    Field('depth', 'int', 'Nesting depth (1 = top level).'),
    Field('opener', 'str', 'Opening character: `[` (or `{`, used once in the CND).'),
    Field('is_closed', 'bool', 'False when no closer was found in the unit (see diagnostics `unclosed_bracket`).'),
    Field('is_attributed', 'bool', 'True when the span carries a delegation tail or delegation list (it is, or holds at top level, a proposal with positions).'),
    Field('is_struck', 'bool', 'True when the item sits in (or is mostly) `~~strikethrough~~` text.'),
    Field('proposal_id', 'str', "Proposal id (`proposals.proposal_id`): `<doc_id>:P<nnnn>` (CND) or `<doc_id>:R<nnnn>` (recovered lists), in order of the proposal's start offset."),
    Field('sponsors', 'str', 'Delegation codes or names as written, `, `-separated; stance groups separated by `; `.'),
    Field('tail', 'str', 'The sponsor tail as written.'),
    Field('confidence', 'float', 'How sure the reading is, in [0, 1]: 1.0 for clean text; the recovery confidence for damaged text.'),
    Field('offset', 'int', '0-based offset of the delegation code or name in the source.'),
    Field('code_as_written', 'str', 'Delegation code or name as written in the source (the damaged form for the 6th session).'),
    Field('delegation_id', 'str', 'Registry id (`delegations.delegation_id`): ISO 3166-1 alpha-3 for States, `EU`, `CARICOM` for the organizations; empty when a code or name is doubtful, unknown or ambiguous.', references='delegations.delegation_id'),
    Field('stance', 'str', "A delegation's position on a proposal: sponsor (proposes the wording) / retain / delete / against / original (prefers the original wording) / retain_original / integrate (into another paragraph) / move (elsewhere) / alt (offers an alternative) / keep."),
    Field('resolution', 'str', 'How the code or name was resolved: exact / alias / flagged (valid code with a caveat, e.g. PL, AT) / doubtful (kept unresolved, e.g. MO) / unknown / not_a_code / recovered (damaged name read with confidence) / ambiguous (several candidates; see `candidates`).', RESOLUTIONS),
    Field('damaged', 'str', 'Damaged source string that was read (6th-session recovery), else empty.'),
    Field('candidates', 'str', 'Other candidate delegation ids, `|`-separated (ambiguous recoveries).'),
    Field('name', 'str', 'UN short name of the delegation.'),
    Field('iso2', 'str', 'ISO 3166-1 alpha-2 (empty for organizations). Namibia is `NA`.'),
    Field('iso3', 'str', 'ISO 3166-1 alpha-3 (empty for organizations).'),
    Field('un_regional_group', 'str', 'UN regional group (empty for organizations).'),
    Field('notes', 'str', 'Notes (group membership caveats, how the documents refer to it).'),
    Field('stage', 'str', 'Stage that reported it: clean / decode / segment / brackets / sponsors / recover.'),
    Field('message', 'str', 'What was found and what was done about it.'),
    Field('n_chapters', 'int', 'Rows in `chapters`.'),
    Field('n_articles', 'int', 'Number of articles the row counts.'),
    Field('n_proposed_articles', 'int', 'Articles proposed as a whole by delegations (`articles.is_proposed`).'),
    Field('n_brackets', 'int', 'Bracket spans (nested spans included).'),
    Field('n_proposals', 'int', 'Number of proposals (`proposals` rows) the row counts.'),
    Field('n_positions', 'int', 'Number of delegation positions (`positions` rows) the row counts.'),
    Field('n_delegations', 'int', 'Distinct resolved delegation ids (`positions.delegation_id`) the row counts.'),
    Field('n_diagnostics', 'int', 'Rows in `diagnostics`.'),
    Field('share_lines_parsed', 'float', 'Share of non-blank lines that belong to a chapter/article heading, paragraph, preamble or note (the rest is layout: cover, footers, page numbers, footnotes, separators).'),
    Field('seeds', 'str', 'Random seeds of the synthetic lists, space-separated (held-out seeds, never used while tuning).'),
    Field('sampling', 'str', 'How names were drawn: `uniform` over the registry, or `activity` (weights 1 + positions in ahc4-cnd).', ('uniform', 'activity')),
    Field('prior', 'str', 'Delegation prior of the reader: `uniform`, or `em` (fitted by EM to the damaged lists themselves).', ('uniform', 'em')),
    Field('group', 'str', 'Breakdown: `all`, `list_length`, `separator` or `prefix`.'),
    Field('value', 'float', 'The measure: k / n (missing when n is 0).'),
    Field('lists', 'int', 'Synthetic lists.'),
    Field('true_names', 'int', 'Names in the lists.'),
    Field('resolved', 'int', 'Names read with a delegation id (posterior ≥ recover.ACCEPT).'),
    Field('ambiguous', 'int', 'Names read but left unresolved (posterior < recover.ACCEPT), with candidates.'),
    Field('precision', 'float', 'Correct resolved names / resolved names (multiset match within each list).'),
    Field('recall', 'float', 'Correct resolved names / true names.'),
    Field('stance_recall', 'float', 'Names resolved with the right delegation and stance group / true names.'),
    Field('bin', 'str', "Confidence bin `[lo, hi)` of the top candidate's posterior."),
    Field('n', 'int', 'Names read in the bin.'),
    Field('mean_confidence', 'float', 'Mean posterior of the top candidate.'),
    Field('accuracy', 'float', 'Share of those names whose top candidate is right.'),
    Field('level', 'str', '`cell` (character × position in word), `character`, `position` or `overall`.', ('cell', 'character', 'position', 'overall')),
    Field('char_key', 'str', 'Character class: a lowercase letter (accents folded), `UPPER`, `DIGIT`, `SPACE` or the punctuation mark; empty for position/overall rows.'),
    Field('position', 'str', 'Position in the word: first / middle / last / single, `na` for non-alphanumerics; empty for character/overall rows.'),
    Field('kept', 'int', 'Aligned characters kept.'),
    Field('total', 'int', 'Aligned characters.'),
    Field('keep_rate', 'float', 'Smoothed keep probability used by the recovery (add-4 towards the character and position rates).'),
    Field('regional_group', 'str', 'UN regional group; `(organization)` for the EU and CARICOM.'),
    Field('bloc', 'int', 'Louvain community of the agreement network (fixed seed and insertion order), numbered 1.. by size; 0 = unaligned (community of fewer than 3 delegations, or no ties).'),
    Field('bloc_stability', 'float', 'Mean share of Louvain runs (30 seeds × resolutions 0.8/1.0/1.2) placing the delegation with each other member of its bloc; 0 for unaligned.'),
    Field('n_sponsored', 'int', 'Proposals the delegation sponsored.'),
    Field('degree', 'int', 'Number of agreement ties.'),
    Field('weighted_degree', 'float', 'Sum of agreement-tie weights (Newman collaboration weighting, 1/(n−1) per proposal with n participants).'),
    Field('betweenness', 'float', 'Normalised betweenness centrality in the agreement network (edge length = 1 / weight).'),
    Field('participation', 'float', 'Participation coefficient: 1 − Σ_s (share of weighted degree towards bloc s)²; 0 = all ties inside one bloc.'),
    Field('network', 'str', "Layer: `cosponsorship` (both sponsor the same wording), `agreement` (same stance group on a proposal) or `opposition` (opposite sides of a proposal's wording; see `treatydrafts.networks`)."),
    Field('source', 'str', 'First delegation id (alphabetically).', references='delegations.delegation_id'),
    Field('target', 'str', 'Second delegation id.', references='delegations.delegation_id'),
    Field('weight', 'float', "Tie weight: Newman's collaboration weighting, 1/(n−1) per proposal with n participants, times both positions' confidence."),
    Field('sign', 'int', '+1 co-sponsorship / agreement, −1 opposition.'),
    Field('stance_source', 'str', 'Stance of `source` on the proposal.'),
    Field('stance_target', 'str', 'Stance of `target` on the proposal.'),
    Field('n_participants', 'int', 'n in the 1/(n−1) weight: sponsors (cosponsorship) or delegations with any position (agreement, opposition).'),
    Field('article_class', 'str', 'What the article does: offence / general_part / bridging / other (see `scope.classify_article`).'),
    Field('general_part_kind', 'str', 'For general-part articles: legal_persons / participation_attempt / intent / limitations / sanctions / jurisdiction; else empty.'),
    Field('is_offence', 'bool', 'The article establishes one or more criminal offences (article_class == `offence`).'),
    Field('evidence', 'str', 'The wording that decided the class, as matched (title or text), or `inherited from <doc> art. <n>` (lineage).'),
    Field('evidence_line', 'int', 'Source line of the evidence (heading line for title evidence; 0 = none).'),
    Field('evidence_source', 'str', 'Where the evidence was found: text / title / lineage / none.'),
    Field('proposed_rule', 'str', 'Why is_proposed is true: `segmenter` (articles.is_proposed) / `label suffix`; empty for base text.'),
    Field('category', 'str', 'For offences: cyber-dependent / cyber-enabled / content-related / other (codebook in notebook 02); empty for non-offences.'),
    Field('category_rule', 'str', 'Title wording that decided the category, or `inherited from <doc> art. <n>`.'),
    Field('n_conducts', 'int', 'Prohibited conducts in offence articles; missing where not measurable (damaged text).'),
    Field('from_doc', 'str', 'Earlier document.'),
    Field('from_article_seq', 'int', 'article_seq in from_doc (0 for `new`: no predecessor).'),
    Field('from_article', 'str', 'Article label of the earlier article of a link between drafts (empty when there is none).'),
    Field('from_title', 'str', 'Title of the from article.'),
    Field('to_doc', 'str', 'Later document.'),
    Field('to_article_seq', 'int', 'article_seq in to_doc (0 for `dropped`).'),
    Field('to_article', 'str', 'Article label in to_doc (empty for `dropped`).'),
    Field('to_title', 'str', 'Title of the to article.'),
    Field('relation', 'str', 'One of: same / renamed / merged / split / absorbed / dropped / re-proposed / new (`new`: no predecessor in from_doc).'),
    Field('score', 'float', 'Similarity of the two articles in [0, 1] (for `dropped` / `new`: best similarity found on the other side).'),
    Field('title_score', 'float', 'TF-IDF cosine of the normalised titles (character 3–5-grams).'),
    Field('text_score', 'float', 'TF-IDF cosine of the article texts (words); 0 when either text is damaged (ahc6-amended-draft).'),
    Field('method', 'str', 'How the row was derived (the allowed values depend on the table).'),
    Field('confirmed', 'bool', 'True when a person checked the link against both texts.'),
    Field('note', 'str', 'Free-text note on the row.'),
    Field('series', 'str', '`negotiating` or `with_expert`.'),
    Field('has_criminalization_chapter', 'bool', 'False for drafts without one (ahc3-uk-submission); their counts are missing (not applicable), never 0.'),
    Field('previous_doc', 'str', 'Draft the flows are measured against (empty for the first).'),
    Field('n_offences', 'int', 'Offence articles.'),
    Field('n_offences_base', 'int', 'Offence articles of the base text.'),
    Field('n_offences_proposed', 'int', 'Offence articles proposed by delegations.'),
    Field('n_general_part', 'int', 'General-part articles in the chapter.'),
    Field('n_bridging', 'int', 'Bridging clauses (offences under other treaties).'),
    Field('n_words_chapter', 'int', "Words in the criminalization chapter's articles (sum of articles.n_words)."),
    Field('n_cyber_dependent', 'int', 'Offence articles coded cyber-dependent.'),
    Field('n_cyber_enabled', 'int', 'Offence articles coded cyber-enabled.'),
    Field('n_content_related', 'int', 'Offence articles coded content-related.'),
    Field('n_other_category', 'int', 'Offence articles coded other.'),
    Field('n_kept', 'int', 'Offence articles of previous_doc kept (relation same or renamed).'),
    Field('n_merged', 'int', 'Offence articles of previous_doc merged into or absorbed by another article.'),
    Field('n_split', 'int', 'Offence articles of previous_doc split into several.'),
    Field('n_dropped', 'int', 'Offence articles of previous_doc dropped.'),
    Field('n_reproposed', 'int', 'Offence articles re-proposed (dropped earlier, back in this draft as a delegation proposal).'),
    Field('n_new', 'int', 'Offence articles with no predecessor.'),
    Field('n_top_level', 'int', 'Spans at depth 1 (not inside another span); missing where not observable (damaged draft).'),
    Field('n_attributed', 'int', 'Bracket spans carrying a delegation tail or list.'),
    Field('n_unattributed', 'int', 'Spans without delegation attribution: alternative terms, placeholders, untagged wording (nested ones included).'),
    Field('n_placeholders', 'int', 'Bracket spans that are placeholders to fill in (`[date]`, `[city]`, `[place]`, `[country]`, …).'),
    Field('n_struck', 'int', 'Spans flagged `is_struck` (opener inside `~~…~~` or more than half struck).'),
    Field('n_unclosed', 'int', 'Spans whose opener has no closer in the article (`is_closed` false); missing where not observable (damaged draft).'),
    Field('n_unmatched_closers', 'int', "Closers with no opener in the article (`unmatched_closer` diagnostics on the article's lines); not spans."),
    Field('max_depth', 'int', "Deepest nesting level among the article's spans (0 = no brackets; missing where not observable, damaged draft)."),
    Field('bracketed_char_share', 'float', "Share of n_chars lying inside the union of the article's spans (bracket characters included); an unclosed span is cut at the end of the paragraph holding its opener (of its line outside paragraphs). In [0, 1]; missing where not observable (damaged draft)."),
    Field('brackets_per_1000_words', 'float', '1000 × n_brackets / n_words (0 when n_words is 0).'),
    Field('n_options', 'int', 'Substitute or additional wordings on offer beyond the first.'),
    Field('n_alt_paragraphs', 'int', 'Paragraphs whose label contains `alt` (`2 alt`, `(a) alt`): alternatives to a paragraph.'),
    Field('n_added_paragraphs', 'int', 'Paragraphs labelled with a Latin ordinal (`bis`, `ter`, `quater`, `quat`, …; `2 bis`, `(c) ter`): wordings offered in addition to or instead of the numbered ones.'),
    Field('n_alternative_terms', 'int', 'Extra terms of adjacent-alternative choices: closed unattributed non-placeholder sibling spans separated only by space, `/`, `or` or `,`; a choice of k terms counts k - 1 (`[computer data] [digital information]` = 1).'),
    Field('is_estimate', 'bool', 'True where the measure is inferred from the damaged `ahc6-amended-draft` rather than counted.'),
    Field('n_brackets_low', 'int', 'Lower end of the 90% interval of n_brackets (= n_brackets when counted).'),
    Field('n_brackets_high', 'int', 'Upper end of the 90% interval of n_brackets (= n_brackets when counted).'),
    Field('brackets_per_1000_words_low', 'float', '1000 × n_brackets_low / n_words.'),
    Field('brackets_per_1000_words_high', 'float', '1000 × n_brackets_high / n_words.'),
    Field('n_open_observed', 'int', 'Openers seen in the text (spans found); the input of the estimate for the damaged draft.'),
    Field('n_close_observed', 'int', 'Closers seen in the text: closed spans + unmatched closers.'),
    Field('ref_doc', 'str', 'Reference (clean) document: `ahc6-chair-draft`.'),
    Field('ref_line', 'int', 'Line of the reference bracket.'),
    Field('ref_offset', 'int', 'Offset of the bracket character in the reference file.'),
    Field('char', 'str', '`[` or `]`.'),
    Field('match_offset', 'int', 'Offset in the damaged file where the context matched best (end, exclusive).'),
    Field('match_score', 'float', 'Alignment score per context character: +2 match, -1 reference character lost, -2 extra damaged character (2 = intact; ~0.8 = typical 39% loss; < 0.5 = not the same passage).'),
    Field('is_unamended', 'bool', 'match_score >= 0.5: the passage counts as unamended and the bracket as observed.'),
    Field('survived', 'bool', 'The bracket character is present in the damaged text at the matched place (only on unamended passages).'),
    Field('n_bracketed_articles', 'int', 'Articles with at least one bracket (placeholders excluded); estimate rows: n_brackets_low > 0.'),
    Field('ref_article_seq', 'int', 'article_seq of the aligned article in `ahc6-chair-draft` (0 = none).'),
    Field('ref_article', 'str', 'Label of the aligned article (empty when none).'),
    Field('ratio', 'float', 'Title similarity in [0, 1] (difflib ratio of the normalised titles) for `title` and `none`; 1 for self, lineage and label.'),
    # --- proposal outcomes, provisions, influence (issue 15)
    Field('provision_id', 'str', "Stable provision id, named after its anchor article: `chair-06` (article 6 of the Chair's draft, in every draft that has it), else `cnd-10-bis` (a CND article the Chair dropped), `amended-15-ter` (proposed at the 6th session), `adopted-62` (only in the adopted convention); see `docs/crosswalk.md`."),
    Field('cnd_article', 'str', 'Article label(s) of the provision in `ahc4-cnd`, `; `-separated (empty: none).'),
    Field('chair_article', 'str', "Article label of the provision in the Chair's draft `ahc6-chair-draft` (empty: none)."),
    Field('amended_article', 'str', 'Article label(s) of the provision in `ahc6-amended-draft`, `; `-separated (empty: none).'),
    Field('adopted_article', 'int', 'Article number in the adopted United Nations Convention against Cybercrime (General Assembly resolution 79/243, 24 December 2024); 0 = not in the adopted text.'),
    Field('adopted_title', 'str', 'Title of the adopted article (English; see `adopted_verified` for how it is known).'),
    Field('adopted_chapter', 'str', 'Chapter of the adopted convention (I–IX).'),
    Field('chapter_title', 'str', 'Title of the chapter.'),
    Field('adopted_relation', 'str', "How the Chair's article became the adopted one: same / renamed / moved (to another chapter) / new (no Chair's article); empty when not in the adopted text.", ADOPTED_RELATIONS + ("",)),
    Field('adopted_confidence', 'str', "How sure the Chair's draft → adopted link is: high (the adopted article was read and compared, or a primary cross-reference or the depositary pins it) / medium (chapter ranges, article counts and secondary sources only) / low (recollection); empty when not in the adopted text.", CONFIDENCE_LEVELS + ("",)),
    Field('adopted_verified', 'str', "How the adopted article's number and title are known: yes (read in a primary or close-to-primary source) / secondary (number from secondary sources, title carried from the Chair's draft) / inferred (title not found in any source).", ADOPTED_VERIFIED + ("",)),
    Field('citation', 'str', 'Where the row comes from: the sources read (document symbols, URLs, repository paths with commit).'),
    Field('fate', 'str', "What became of the provision: in_convention / dropped_by_chair (a CND article with no Chair's-draft counterpart, not re-proposed) / re_proposed (dropped by the Chair, proposed again at the 6th session; not in the adopted text) / proposed_at_ahc6 (new at the 6th session; not in the adopted text) / new_in_convention (only in the adopted text) / not_mapped.", FATES),
    Field('unit_group', 'str', 'Which delegations of the proposal the unit is about: `sponsor` (they propose its wording) or `delete` (they propose deleting the wording it covers).', UNIT_GROUPS),
    Field('delegation_ids', 'str', 'Resolved delegation ids of the row, sorted and `, `-separated (the codes as written when none resolved).'),
    Field('target_scope', 'str', 'What is compared: `wording` (the proposed or targeted words), `paragraph` (a bare deletion at the end of a paragraph) or `article` (a bare deletion under the heading; a whole proposed article).', TARGETS),
    Field('outcome', 'str', "What became of the unit in the Chair's draft: verbatim / substance (taken up; sponsor units) / not_taken_up / deletion_achieved / deletion_not_achieved (delete units) / article_dropped (the CND article has no counterpart) / unclear (nothing to compare).", PROPOSAL_OUTCOMES),
    Field('to_line', 'int', "Line of the later document where the compared window starts (0 = none)."),
    Field('to_start_offset', 'int', 'Offset of the compared window in the later document (0 with `to_end_offset` 0 = none).'),
    Field('to_end_offset', 'int', 'Offset just past the compared window in the later document.'),
    Field('to_text', 'str', 'The later document\'s text in the compared window: `source[to_start_offset:to_end_offset]`.'),
    Field('paragraph_score', 'float', "Coverage of the CND host paragraph (its words without any delegation's proposal) in its best window of the counterpart article, in [0, 1]; missing = not measured (no host context: whole articles, proposals that are paragraphs of their own)."),
    Field('n_article_proposals', 'int', "Proposals in the unit's CND article (`proposals` rows): how contested the article was."),
    Field('unit_id', 'str', 'Id of the unit in the hand-judged validation sample (`data/validation/outcomes_sample.csv`, `O001`…).'),
    Field('judged_outcome', 'str', "The outcome a person gave after reading both texts (`data/validation/outcomes_judged.csv`).", PROPOSAL_OUTCOMES),
    Field('judged_confidence', 'str', "The judge's confidence: high / medium / low.", CONFIDENCE_LEVELS),
    Field('judged_note', 'str', "The judge's reasoning."),
    Field('is_agreement', 'bool', 'The automatic outcome equals the judged one (after merging categories per `scheme`).'),
    Field('scheme', 'str', 'Outcome categories compared: `fine` (the seven categories), `merged` (substance and not_taken_up merged into `not_verbatim`: the wording was not taken up word for word) or `merged_cv` (merged, each unit classified with the similarity threshold chosen on the other folds of a 5-fold split).', ('fine', 'merged', 'merged_cv')),
    Field('n_judged', 'int', 'Units the judge placed in the category.'),
    Field('n_auto', 'int', 'Units the automatic method placed in the category.'),
    Field('n_agree', 'int', 'Units both placed in the category.'),
    Field('agreement', 'float', 'n_agree / n_judged: share of the judged units of the category that the method also placed there (missing when n_judged is 0).'),
    Field('agreement_low', 'float', 'Lower end of the 95% Wilson interval of `agreement`.'),
    Field('agreement_high', 'float', 'Upper end of the 95% Wilson interval of `agreement`.'),
    Field('precision_low', 'float', 'Lower end of the 95% Wilson interval of `precision`.'),
    Field('precision_high', 'float', 'Upper end of the 95% Wilson interval of `precision`.'),
    Field('bloc_ahc4', 'int', 'Louvain bloc of the delegation in the 4th session (`coalition_nodes.bloc` of `ahc4-cnd`; 0 = unaligned, missing = no usable position).'),
    Field('bloc_ahc6', 'int', 'Louvain bloc of the delegation in the 6th session (`coalition_nodes.bloc` of `ahc6-amended-draft`; 0 = unaligned, missing = no usable position).'),
    Field('grouping', 'str', 'How delegations are grouped: `all`, `bloc_ahc4` (Louvain blocs of the 4th session) or `regional_group` (UN regional groups).', ('all', 'bloc_ahc4', 'regional_group')),
    Field('group_value', 'str', 'The group (bloc number, regional group name, or `all`).'),
    Field('n_sponsor_units', 'int', 'Sponsor units (CND proposals the delegation, or a member of the group, sponsored), `unclear` ones excluded.'),
    Field('n_taken_up', 'int', "Sponsor units whose wording the Chair's draft took up word for word (outcome verbatim, the category validated against the hand judgements; `substance` is counted apart in n_substance because the method sees only part of it: `outcome_agreement`)."),
    Field('n_substance', 'int', 'Sponsor units with outcome substance (a near match of the wording; not in n_taken_up).'),
    Field('n_not_taken_up', 'int', 'Sponsor units with outcome not_taken_up.'),
    Field('n_article_dropped', 'int', "Units whose CND article has no counterpart in the Chair's draft."),
    Field('share_taken_up', 'float', 'n_taken_up / n_sponsor_units (missing when there are none): the raw take-up rate (wording taken up word for word).'),
    Field('share_low', 'float', 'Lower end of the 95% Wilson interval of share_taken_up.'),
    Field('share_high', 'float', 'Upper end of the 95% Wilson interval of share_taken_up.'),
    Field('expected_taken_up', 'float', "Sponsor units expected to be taken up given how contested their articles were: sum of the contestation model's probabilities (`influence_model`)."),
    Field('adjusted_share', 'float', 'Contestation-adjusted take-up rate: (n_taken_up / expected_taken_up) × the overall take-up rate (indirect standardisation; missing when there are no units).'),
    Field('adjusted_low', 'float', 'Lower end of the 95% interval of adjusted_share (exact Poisson interval of n_taken_up, divided by expected_taken_up, times the overall rate).'),
    Field('adjusted_high', 'float', 'Upper end of the 95% interval of adjusted_share.'),
    Field('n_delete_units', 'int', 'Delete units (CND proposals whose wording the delegation, or a member of the group, proposed deleting), `unclear` ones excluded.'),
    Field('n_deletion_achieved', 'int', 'Delete units with outcome deletion_achieved.'),
    Field('n_deletion_not_achieved', 'int', 'Delete units with outcome deletion_not_achieved.'),
    Field('share_deletion_achieved', 'float', 'n_deletion_achieved / (n_deletion_achieved + n_deletion_not_achieved) (missing when both are 0): deletions in dropped articles are not counted.'),
    Field('deletion_low', 'float', 'Lower end of the 95% Wilson interval of share_deletion_achieved.'),
    Field('deletion_high', 'float', 'Upper end of the 95% Wilson interval of share_deletion_achieved.'),
    Field('n_restore_attempts', 'int', '6th-session proposals the delegation sponsored (recovered name) whose damaged wording reads as dropped CND text (`restoration_attempts`).'),
    Field('term', 'str', 'Model term.'),
    Field('coefficient', 'float', 'Maximum-likelihood coefficient (log-odds scale).'),
    Field('odds_ratio', 'float', 'exp(coefficient).'),
    Field('odds_ratio_low', 'float', 'Lower end of the 95% bootstrap percentile interval of odds_ratio (500 resamples of the units, seeded).'),
    Field('odds_ratio_high', 'float', 'Upper end of that interval.'),
    Field('partner', 'str', 'The other delegation (`delegations.delegation_id`).'),
    Field('dim1', 'float', 'Coordinate on the first axis of the positions map (correspondence analysis of the delegation × (proposal, side) matrix).'),
    Field('dim2', 'float', 'Coordinate on the second axis of the positions map.'),
    Field('dim', 'int', 'Axis of the positions map (1 or 2).'),
    Field('inertia_share', 'float', 'Share of the total inertia of the positions map on this axis, in [0, 1].'),
    Field('pole', 'str', 'End of the axis: `+` (positive coordinates) or `-`.', ('+', '-')),
    Field('side', 'str', 'Side of the proposal a positions-map column stands for: `for` the wording, `against` it, or a neutral stance as written (`alt`, `integrate`, `move`; see `networks.stance_side`).'),
    Field('coordinate', 'float', 'Principal coordinate of the column on the axis.'),
    Field('contribution', 'float', 'Share of the axis inertia contributed by the column, in [0, 1].'),
    Field('finding', 'str', 'Key of a finding quoted in a notebook summary, a figure caption or the gallery (`treatydrafts.analysis.findings`).'),
    Field('quoted_value', 'str', 'The value as quoted in the text (formatted: thousands separators, percentages, lists of names).'),
    Field('finding_description', 'str', 'What the value is.'),
    Field('source_tables', 'str', 'The tables the value is computed from, space-separated.'),
    Field('n_position_rows', 'int', 'Position rows of the document (`positions`).'),
    Field('n_used', 'int', 'Position rows that entered the network (resolved delegation, confidence at or above min_confidence).'),
    Field('n_unresolved', 'int', 'Position rows without a delegation id (doubtful, unknown or ambiguous readings).'),
    Field('n_low_confidence', 'int', 'Resolved position rows below min_confidence.'),
    Field('min_confidence', 'float', 'Lowest confidence of a position used in the network.'),
    Field('n_nodes', 'int', 'Delegations in the network.'),
    Field('n_blocs', 'int', 'Louvain blocs of three or more delegations.'),
    Field('n_unaligned', 'int', 'Delegations in no bloc (bloc 0).'),
    Field('modularity', 'float', 'Mean modularity of the Louvain partitions at resolution 1 over the consensus seeds; missing without consensus runs.'),
    Field('consensus_ari_mean', 'float', 'Mean adjusted Rand index of the Louvain runs at resolution 1 against the reference blocs; missing without consensus runs.'),
    Field('consensus_ari', 'float', 'Adjusted Rand index of the consensus partition (Louvain on the co-assignment graph) against the reference blocs.'),
    Field('n_regional_states', 'int', 'States in a bloc that have a UN regional group (the comparison below).'),
    Field('regional_ari', 'float', 'Adjusted Rand index of the blocs against the UN regional groups.'),
    Field('regional_nmi', 'float', 'Normalised mutual information of the blocs and the UN regional groups.'),
    Field('doc_a', 'str', 'The earlier document of a comparison.'),
    Field('doc_b', 'str', 'The later document of a comparison.'),
    Field('n_shared', 'int', 'Delegations in a bloc in both documents.'),
    Field('ari', 'float', 'Adjusted Rand index of the two partitions over the shared delegations.'),
    Field('nmi', 'float', 'Normalised mutual information of the two partitions over the shared delegations.'),
    Field('n_moved', 'int', 'Shared delegations whose later bloc best matches (Hungarian assignment on the overlap table) a different earlier bloc.'),
    Field('reader', 'str', "`final` (this package's recovery) or `baseline` (the recovery before issue 12, its readings kept in data/validation/baseline_readings.csv).", ('final', 'baseline')),
    Field('half', 'str', 'Validation half: `dev` (used while tuning), `heldout` (scored at milestones and at the end) or `all`.', ('dev', 'heldout', 'all')),
    Field('measure', 'str', 'precision (right / claimed names, uncertain ones aside); recall (true names, sure + probable, found by a right claim); recall_sure (sure true names only); stance_accuracy (right names with the true stance; stance `other` aside); wrong_share and prose_share (of claimed names); claims_on_uncertain (share of claims on uncertain true names).', ('precision', 'recall', 'recall_sure', 'stance_accuracy', 'wrong_share', 'prose_share', 'claims_on_uncertain')),
    Field('k', 'int', 'Numerator.'),
    Field('lo', 'float', 'Wilson 95% interval, lower bound.'),
    Field('hi', 'float', 'Wilson 95% interval, upper bound.'),
    Field('boot_lo', 'float', '95% percentile interval of a bootstrap over units (2,000 resamples, seed 20231), lower bound.'),
    Field('boot_hi', 'float', 'Upper bound of the same.'),
    Field('band', 'str', 'Confidence band `[lo, hi)` (the last closed at 1).'),
    Field('n_right', 'int', 'Readings whose top candidate is right.'),
    Field('gap', 'float', 'accuracy − mean_confidence.'),
    Field('top_candidate', 'str', 'Best candidate (= delegation_id when claimed).'),
    Field('claimed', 'bool', 'A delegation was claimed.'),
    Field('judgement', 'str', 'Of the claim (or, for an abstention, of its top candidate): right / wrong / prose / uncertain.', ('right', 'wrong', 'prose', 'uncertain')),
    Field('true_id', 'str', 'Delegation of the best-overlapping true name (empty: none, or uncertain).'),
    Field('true_certainty', 'str', 'sure / probable / uncertain; empty when the reading overlaps no true name.'),
    Field('true_stance', 'str', 'Stance of that true name.'),
    Field('stance_ok', 'bool', 'Right name with the true stance.'),
    Field('analysis', 'str', '`threshold` (one row per threshold) or `bootstrap` (lists resampled with replacement at the calibrated threshold: percentiles over the resamples).', ('threshold', 'bootstrap')),
    Field('threshold', 'float', 'Confidence threshold.'),
    Field('statistic', 'str', '`value` for threshold rows; `p2.5`, `median`, `p97.5` for bootstrap rows.', ('value', 'p2.5', 'median', 'p97.5')),
    Field('n_eu_members', 'int', "EU member States among them (the document writes 'EU and its member States')."),
    Field('n_cosponsorship', 'int', 'Co-sponsorship ties (edges).'),
    Field('n_agreement', 'int', 'Agreement ties.'),
    Field('n_opposition', 'int', 'Opposition ties.'),
    Field('ari_vs_ahc4', 'float', 'Adjusted Rand index of the blocs of the delegations in a bloc in both sessions.'),
    Field('top_reproposers', 'str', 'Delegations sponsoring the most re-proposed offence articles (`ID n`, top 5; bootstrap rows: the delegations in the top 5 of at least half the resamples, with that share).'),
    Field('relation_kind', 'str', '`cosponsor` (both sponsor the same wording) or `oppose` (opposite sides of a proposal), as in `coalition_ties`.', ('cosponsor', 'oppose')),
    Field('rank', 'int', 'Rank within the row\'s group (1 = first).'),
    Field('restoration', 'str', 'Reading of a 6th-session proposal: `restores_cnd` (its damaged wording aligns with CND text the Chair left out better than with the Chair\'s article) / `other_text` / `too_damaged` (fewer than `treatydrafts.analysis.restoration.MIN_LETTERS` letters survive).', ('restores_cnd', 'other_text', 'too_damaged')),
    Field('from_proposal_id', 'str', 'The CND proposal whose wording the row matches (`proposals.proposal_id`; empty for a base-text paragraph of a dropped article).'),
    Field('from_line', 'int', 'Line of the matched CND text (0 = none).'),
    Field('from_start_offset', 'int', 'Offset of the matched CND text.'),
    Field('from_end_offset', 'int', 'Offset just past the matched CND text.'),
    Field('from_text', 'str', 'The matched CND text: `source[from_start_offset:from_end_offset]` of `ahc4-cnd`.'),
    Field('chair_score', 'float', "Alignment score of the damaged wording against the Chair's counterpart article (same scale as `score`)."),
    Field('n_letters', 'int', 'Letters of the damaged wording that survived extraction.'),
)

# ---------------------------------------------------------------- tables

TABLES: dict[str, Table] = {}


def _table(name: str, description: str, columns: tuple[str, ...], primary_key: tuple[str, ...],
           meanings: dict[str, str | tuple[str, tuple[str, ...]]] | None = None, exported: bool = True,
           nullable: tuple[str, ...] = ()) -> Table:
    """Register a table whose columns are :data:`FIELDS` names; ``meanings`` overrides a column's
    meaning in this table (a string, or ``(meaning, allowed values)``); ``nullable`` names the
    numeric columns that may hold missing values in this table (never text, booleans or keys)."""
    bad = [c for c in nullable if c not in columns or c in primary_key or FIELDS[c].dtype not in NULLABLE_DTYPES]
    if bad:
        raise SchemaError(f"table {name!r}: only numeric non-key columns of the table can be nullable: {bad}")
    cols = []
    for c in columns:
        f = FIELDS[c]
        m, v = f.meaning, f.values
        over = (meanings or {}).get(c)
        if isinstance(over, tuple):
            m, v = over
        elif over is not None:
            m = over
        cols.append(Column(c, f.dtype, m, tuple(v), c in nullable))
    unknown = set(meanings or {}) - set(columns)
    if unknown:
        raise SchemaError(f"table {name!r}: meanings for columns it does not have: {sorted(unknown)}")
    t = Table(name, description, tuple(cols), tuple(primary_key), exported)
    TABLES[name] = t
    return t


_table('documents', 'The catalogue of source documents (one row per document, in session order).',
       ('doc_id', 'file', 'sha256', 'un_symbol', 'title', 'session', 'session_order', 'date', 'kind', 'notation', 'parser', 'n_lines', 'n_chars',),
       ('doc_id',),
       meanings={
           'kind': 'Kind of document (member_state_submission, consolidated_negotiating_document, expert_proposal, chair_draft, amended_draft).',
           'n_lines': 'Number of lines in the file.',
           'n_chars': 'Number of characters in the file.',
       })

_table('lines', 'One row per source line: what the line is. Every line of every file appears exactly once.',
       ('doc_id', 'line', 'role', 'article_seq', 'paragraph_seq', 'start_offset', 'end_offset',),
       ('doc_id', 'line'),
       meanings={
           'start_offset': "Offset of the line's first character.",
           'end_offset': "Offset just past the line's last character (newline excluded).",
       })

_table('chapters', 'Chapters of each document.',
       ('doc_id', 'chapter_seq', 'chapter', 'title', 'start_line', 'end_line',),
       ('doc_id', 'chapter_seq'))

_table('articles', 'One row per article (including articles proposed by delegations).',
       ('doc_id', 'article_seq', 'chapter', 'cluster', 'article', 'article_num', 'title', 'display_title', 'is_proposed', 'start_line', 'end_line', 'heading_line', 'start_offset', 'end_offset', 'n_paragraphs', 'n_words',),
       ('doc_id', 'article_seq'),
       meanings={
           'title': 'Article title as written (markdown emphasis removed, bracketed proposals kept).',
           'start_offset': "Offset of the heading's first character.",
           'end_line': 'Last line of the article (before the next heading).',
           'is_proposed': 'True when a delegation proposes the whole article (e.g. `[10 bis. …]`, `[Article 18 alt. …: MX]`).',
           'n_paragraphs': 'Number of paragraphs (labelled or not) in the article.',
           'n_words': "Words in the article's paragraphs (heading excluded): runs of letters/digits, counted in the text as written, bracketed and struck text included.",
       })

_table('paragraphs', 'One row per paragraph or subparagraph (unlabelled blocks included).',
       ('doc_id', 'paragraph_seq', 'article_seq', 'article', 'paragraph', 'text', 'start_line', 'end_line', 'start_offset', 'end_offset', 'n_lines', 'n_words',),
       ('doc_id', 'paragraph_seq'),
       meanings={
           'n_lines': "Number of the paragraph's own lines (interrupting footnote/page lines excluded).",
           'n_words': 'Words in the paragraph (same rule as articles.n_words).',
           'text': "The paragraph's own lines joined with newlines, as written (decoded for glyph-encoded files).",
       })

_table('brackets', 'One row per square-bracket span; nested spans are rows of their own.',
       ('doc_id', 'bracket_id', 'parent_id', 'depth', 'article_seq', 'article', 'paragraph_seq', 'paragraph', 'line', 'end_line', 'start_offset', 'end_offset', 'text', 'opener', 'is_closed', 'is_attributed', 'is_struck',),
       ('doc_id', 'bracket_id'),
       meanings={
           'line': 'Line of the opener.',
           'start_offset': 'Offset of the opener.',
           'end_offset': 'Offset just past the closer (end of the unit when unclosed).',
           'end_line': "Line of the closer (or of the unit's end if unclosed).",
           'text': 'The span as written, brackets included: `source[start_offset:end_offset]`; for a span nested deeper than 8 levels only its first 100 characters (then `len(text) < end_offset - start_offset`; diagnostics `span_text_cut`), so the column stays linear in the source.',
           'bracket_id': 'Ordinal of the span within its document, in order of the opener.',
           'is_struck': 'True when the opener is inside `~~strikethrough~~` or more than half the span is struck.',
       })

_table('proposals', 'One row per proposal: proposed wording and its sponsor tail (CND) or delegation list (6th session).',
       ('doc_id', 'proposal_id', 'article_seq', 'article', 'paragraph_seq', 'paragraph', 'bracket_id', 'line', 'start_offset', 'end_offset', 'text', 'kind', 'sponsors', 'tail', 'is_struck', 'confidence',),
       ('doc_id', 'proposal_id'),
       meanings={
           'kind': ('insert / replace / delete / position / new_article / other.', PROPOSAL_KINDS),
           'text': 'Proposed wording without its sponsor tail (empty for pure position statements); for a proposal whose span is nested deeper than 8 levels only the first 100 characters of its wording (the offsets give the full extent; diagnostics `proposal_text_cut`), so the column stays linear in the source.',
           'bracket_id': 'Bracket span holding the proposal (0 = none).',
           'is_struck': 'True when the proposal sits in struck text.',
           'proposal_id': "`<doc_id>:P<nnnn>`, in order of the proposal's start offset.",
       })

_table('positions', 'One row per delegation per proposal per stance.',
       ('doc_id', 'proposal_id', 'article_seq', 'article', 'line', 'offset', 'code_as_written', 'delegation_id', 'stance', 'resolution', 'confidence', 'damaged', 'candidates',),
       ('doc_id', 'proposal_id', 'offset', 'stance'),
       meanings={
           'stance': ('sponsor (proposes the wording) / retain / delete / against / original (prefers the original wording) / retain_original / integrate (into another paragraph) / move (elsewhere) / alt (offers an alternative) / keep.', STANCES),
       })

_table('delegations', 'The delegation registry: UN Member States, observer States, the EU and CARICOM.',
       ('delegation_id', 'name', 'iso2', 'iso3', 'un_regional_group', 'kind', 'notes',),
       ('delegation_id',),
       meanings={
           'kind': 'state / observer state / regional organization.',
           'delegation_id': 'ISO 3166-1 alpha-3 for States; `EU`, `CARICOM` for the organizations.',
       })

_table('diagnostics', 'Everything a stage could not interpret, with its line.',
       ('doc_id', 'line', 'stage', 'kind', 'message',),
       ('doc_id', 'line', 'stage', 'kind', 'message'),
       meanings={
           'kind': 'Kind of problem (e.g. unmatched_closer, unclosed_bracket, unknown_code, malformed_tail).',
       })

_table('corpus_counts', 'Rows per table per document (the corpus overview).',
       ('doc_id', 'session_order', 'n_lines', 'n_chapters', 'n_articles', 'n_proposed_articles', 'n_paragraphs', 'n_words', 'n_brackets', 'n_proposals', 'n_positions', 'n_delegations', 'n_diagnostics', 'share_lines_parsed',),
       ('doc_id',),
       meanings={
           'n_positions': 'Rows in `positions`.',
           'n_lines': 'Lines in the source file.',
           'n_paragraphs': 'Rows in `paragraphs`.',
           'n_words': 'Words in all paragraphs (see `articles.n_words`).',
           'n_articles': 'Rows in `articles`.',
           'n_brackets': 'Rows in `brackets` (nested spans included).',
           'n_proposals': 'Rows in `proposals`.',
           'n_delegations': 'Distinct resolved `positions.delegation_id`.',
       })

_table('recovery_benchmark', "Damaged-name recovery on synthetic lists (`treatydrafts.analysis.recovery.benchmark_tables`): known name lists damaged with the measured loss model and read back by the document's reader; name-level precision and recall overall and by list length, separator and free-text prefix. Synthetic lists never meet prose: see `recovery_validation` for the real document.",
       ('seeds', 'sampling', 'group', 'group_value', 'lists', 'true_names', 'resolved', 'ambiguous', 'precision', 'recall', 'stance_recall',),
       ('sampling', 'group', 'group_value'),
       meanings={
           'group_value': 'Value of the breakdown (`all` for the overall row; separators as Python reprs).',
           'resolved': 'Names read with a delegation id (calibrated confidence ≥ recover.ACCEPT).',
           'ambiguous': 'Names read but left unresolved (confidence < recover.ACCEPT), with candidates.',
       })

_table('recovery_calibration', 'Confidence vs accuracy of the top candidate for every name read in the synthetic benchmark (held-out seeds).',
       ('seeds', 'sampling', 'bin', 'n', 'mean_confidence', 'accuracy',),
       ('sampling', 'bin'),
       meanings={
           'bin': "Confidence bin `[lo, hi)` of the reading's calibrated confidence.",
           'mean_confidence': 'Mean calibrated confidence.',
       })

_table('loss_profile', "How likely a character of the Chair's draft is to survive in the damaged `ahc6-amended-draft`, from amendment-free lines aligned to the same article (`treatydrafts.recover.measure_loss`).",
       ('level', 'char_key', 'position', 'kept', 'total', 'keep_rate',),
       ('level', 'char_key', 'position'))

_table('recovery_validation', 'Recovery of delegation names in `ahc6-amended-draft` scored against the hand-judged validation set (`treatydrafts.analysis.recovery_validation`): 56 units drawn at random (seed 20231) from the whole document, judged by hand. A claimed name is right (overlaps a true name of the same delegation), wrong (overlaps a true name of another), prose (overlaps none) or on an uncertain true name (left out of precision).',
       ('reader', 'half', 'measure', 'k', 'n', 'value', 'lo', 'hi', 'boot_lo', 'boot_hi',),
       ('reader', 'half', 'measure'),
       meanings={
           'n': 'Denominator.',
       },
       nullable=('value', 'lo', 'hi', 'boot_lo', 'boot_hi'))

_table('recovery_reliability', "Reliability of the recovery's confidence on the hand-judged validation set: every name reading with a top candidate (claimed or abstained; readings on uncertain true names left out), by confidence band.",
       ('reader', 'half', 'band', 'n', 'n_right', 'mean_confidence', 'accuracy', 'lo', 'hi', 'gap',),
       ('reader', 'half', 'band'),
       meanings={
           'n': 'Readings in the band.',
           'mean_confidence': 'Mean confidence (missing for an empty band).',
           'accuracy': 'n_right / n (missing for an empty band).',
           'lo': 'Wilson 95% interval of the accuracy, lower bound.',
           'hi': 'Upper bound of the same.',
       },
       nullable=('mean_confidence', 'accuracy', 'lo', 'hi', 'gap'))

_table('recovery_judgements', 'Every name reading of the final recovery inside a validation unit, judged against the hand truth (audit trail of `recovery_validation`).',
       ('unit_id', 'half', 'start_offset', 'end_offset', 'damaged', 'delegation_id', 'top_candidate', 'confidence', 'stance', 'claimed', 'judgement', 'true_id', 'true_certainty', 'true_stance', 'stance_ok',),
       ('start_offset', 'end_offset'),
       meanings={
           'unit_id': 'Validation unit (data/validation/units.csv).',
           'half': ('dev / heldout.', ('dev', 'heldout')),
           'start_offset': 'Source offset of the reading (0-based).',
           'end_offset': 'Source offset just past it.',
           'damaged': 'The damaged text read (extractor-inserted spaces dropped).',
           'delegation_id': 'Delegation claimed; empty when the reading abstained (confidence below recover.ACCEPT).',
           'confidence': 'Calibrated confidence.',
           'stance': 'Stance read.',
       })

_table('recovery_agreement', 'Inter-annotator agreement: an independent second annotation of 8 validation units compared with the first (names only; `recovery_validation.agreement`).',
       ('measure', 'k', 'n', 'value', 'lo', 'hi',),
       ('measure',),
       meanings={
           'measure': ('names_found_by_both (pairs / names marked by either), same_delegation (pairs both identified), same_delegation_sure (both sure), same_certainty_class, same_stance.', ('names_found_by_both', 'same_delegation', 'same_delegation_sure', 'same_certainty_class', 'same_stance')),
           'n': 'Denominator.',
           'hi': 'Upper bound of the same.',
       },
       nullable=('value', 'lo', 'hi'))

_table('recovery_sensitivity', "How the key 6th-session findings move with the recovery's confidence threshold and under a bootstrap over lists (`treatydrafts.analysis.recovery.threshold_sensitivity`, `bootstrap_findings`): the network of `ahc6-amended-draft` from positions whose calibrated confidence reaches the threshold (top candidate taken), its blocs against the 4th session's, and who proposed re-adding dropped offences.",
       ('analysis', 'threshold', 'statistic', 'n_positions', 'n_nodes', 'n_eu_members', 'n_cosponsorship', 'n_agreement', 'n_opposition', 'n_blocs', 'n_shared', 'ari_vs_ahc4', 'top_reproposers',),
       ('analysis', 'threshold', 'statistic'),
       meanings={
           'n_positions': 'Positions with a delegation at this threshold.',
           'n_blocs': 'Louvain blocs (≥ 3 members) of the agreement layer.',
           'n_shared': 'Delegations in a bloc in both sessions.',
       })

_table('coalition_nodes', 'One row per delegation per document with a usable position: its bloc and centrality in the agreement network (`treatydrafts.networks`).',
       ('doc_id', 'delegation_id', 'name', 'regional_group', 'bloc', 'bloc_stability', 'n_proposals', 'n_sponsored', 'degree', 'weighted_degree', 'betweenness', 'participation',),
       ('doc_id', 'delegation_id'),
       meanings={
           'n_proposals': 'Proposals on which the delegation took a usable position (any stance).',
       })

_table('coalition_edges', 'One row per pair of delegations per network layer per document (`treatydrafts.networks`); `source` < `target`.',
       ('doc_id', 'network', 'source', 'target', 'weight', 'sign', 'n_proposals',),
       ('doc_id', 'network', 'source', 'target'),
       meanings={
           'n_proposals': 'Number of distinct proposals behind the edge (listed in `coalition_ties`).',
           'weight': "Sum over the edge's proposals of 1/(n−1) (n = sponsors for cosponsorship, participants otherwise), times both positions' confidence.",
       })

_table('coalition_summary', 'One row per document of the coalition analysis: the position rows left out of the network, its size, and how robust and how regional its blocs are (`treatydrafts.analysis.networks.summary_table`).',
       ('doc_id', 'n_position_rows', 'n_used', 'n_unresolved', 'n_low_confidence', 'min_confidence', 'n_nodes', 'n_blocs', 'n_unaligned', 'modularity', 'consensus_ari_mean', 'consensus_ari', 'n_regional_states', 'regional_ari', 'regional_nmi'),
       ('doc_id',),
       nullable=('modularity', 'consensus_ari_mean', 'consensus_ari', 'regional_ari', 'regional_nmi'))

_table('coalition_sessions', 'Did the blocs hold? The blocs of the 4th and the 6th session compared on the delegations aligned in both (`treatydrafts.analysis.networks.compare_sessions`).',
       ('doc_a', 'doc_b', 'n_shared', 'ari', 'nmi', 'n_moved'),
       ('doc_a', 'doc_b'))

_table('coalition_map_points', 'Every delegation on the positions map of a document: its principal coordinates on the first two axes of the correspondence analysis (`treatydrafts.analysis.networks.positions_map`; delegations with fewer than 3 usable positions are left off the map).',
       ('doc_id', 'delegation_id', 'dim1', 'dim2', 'n_positions'),
       ('doc_id', 'delegation_id'),
       meanings={'n_positions': 'Usable positions of the delegation (its row mass on the map).'})

_table('coalition_map_axes', 'What the axes of the positions map stand for: the share of inertia of each axis and, at each pole, the proposal sides that contribute most to it (up to 10 per pole).',
       ('doc_id', 'dim', 'inertia_share', 'pole', 'rank', 'proposal_id', 'side', 'article', 'coordinate', 'contribution'),
       ('doc_id', 'dim', 'pole', 'rank'),
       meanings={'rank': 'Rank by contribution among the columns at this pole (1 = largest).'})

_table('coalition_ties', 'The proposals behind every coalition edge: one row per pair per layer per proposal (`networks.edge_proposals` adds the source lines).',
       ('doc_id', 'network', 'source', 'target', 'proposal_id', 'line', 'article', 'stance_source', 'stance_target', 'weight', 'n_participants',),
       ('doc_id', 'network', 'source', 'target', 'proposal_id'),
       meanings={
           'weight': "This proposal's contribution to the edge weight.",
       })

_table('article_classes', 'Offence classifier: one row per article of every document, with its evidence.',
       ('doc_id', 'article_seq', 'article', 'chapter', 'title', 'article_class', 'general_part_kind', 'is_offence', 'evidence', 'evidence_line', 'evidence_source',),
       ('doc_id', 'article_seq'))

_table('offence_inventory', 'One row per article of every criminalization chapter (non-offence articles included, is_offence false).',
       ('doc_id', 'article_seq', 'article', 'session_order', 'chapter', 'title', 'is_offence', 'is_proposed', 'proposed_rule', 'article_class', 'general_part_kind', 'category', 'category_rule', 'evidence', 'evidence_line', 'evidence_source', 'start_line', 'end_line', 'n_words', 'n_conducts',),
       ('doc_id', 'article_seq'),
       meanings={
           'chapter': 'Chapter label (the criminalization chapter).',
           'is_proposed': 'Proposed by delegations rather than base text: articles.is_proposed, or a suffixed label (`10 bis`, `18 alt`, `15 octies`) inserted into the base numbering.',
           'n_words': "articles.n_words (words in the article's paragraphs, bracketed and struck text included).",
           'n_conducts': 'Prohibited conducts in an offence article: plain-labelled subparagraphs `(a)`, `(b)` … under an operative paragraph, else the number of operative paragraphs (min 1). 0 for non-offences; missing where not measurable (damaged text).',
       },
       nullable=('n_conducts',))

_table('article_lineage', 'Article crosswalk between drafts (criminalization chapters): automatic title/text matching, reviewed by hand in `data/article_lineage_reviewed.csv`.',
       ('from_doc', 'from_article_seq', 'from_article', 'from_title', 'to_doc', 'to_article_seq', 'to_article', 'to_title', 'relation', 'score', 'title_score', 'text_score', 'method', 'confirmed', 'note',),
       ('from_doc', 'from_article_seq', 'to_doc', 'to_article_seq'),
       meanings={
           'from_article': 'Article label in from_doc (empty for `new`).',
           'method': '`reviewed` (row of the reviewed crosswalk) or `auto` (automatic match not in the reviewed file).',
           'note': "Reviewer's note (why merged / absorbed / …), or the automatic matcher's note.",
       })

_table('scope_measures', "Criminalization-scope measures per draft, in session order, for two series: `negotiating` (ahc4-cnd → ahc6-chair-draft → ahc6-amended-draft) and `with_expert` (expert-2023-proposal placed between the CND and the Chair's draft). Counts that do not apply are missing (empty in the CSV, null in Parquet): every count of a draft without a criminalization chapter, the flows (`n_kept` … `n_new`) of the first draft of a series (no `previous_doc`), `n_conducts` where the damaged text cannot show it.",
       ('series', 'doc_id', 'session_order', 'kind', 'has_criminalization_chapter', 'previous_doc', 'n_articles', 'n_offences', 'n_offences_base', 'n_offences_proposed', 'n_general_part', 'n_bridging', 'n_words_chapter', 'n_conducts', 'n_cyber_dependent', 'n_cyber_enabled', 'n_content_related', 'n_other_category', 'n_kept', 'n_merged', 'n_split', 'n_dropped', 'n_reproposed', 'n_new', 'note',),
       ('series', 'doc_id'),
       meanings={
           'kind': 'documents.kind.',
           'n_articles': 'Articles in the criminalization chapter.',
           'n_conducts': 'Distinct prohibited conducts (sum of offence_inventory.n_conducts); missing where not measurable.',
           'note': 'What the row means where counts are not applicable.',
       },
       nullable=('n_articles', 'n_offences', 'n_offences_base', 'n_offences_proposed', 'n_general_part', 'n_bridging',
                 'n_words_chapter', 'n_conducts', 'n_cyber_dependent', 'n_cyber_enabled', 'n_content_related',
                 'n_other_category', 'n_kept', 'n_merged', 'n_split', 'n_dropped', 'n_reproposed', 'n_new'))

_table('offence_reproposals', 'Who proposed re-adding dropped offences at the 6th session: positions (from the damaged-text recovery) on articles linked `re-proposed` in article_lineage.',
       ('doc_id', 'article_seq', 'article', 'title', 'from_article', 'proposal_id', 'offset', 'code_as_written', 'delegation_id', 'stance', 'confidence',),
       ('doc_id', 'article_seq', 'proposal_id', 'offset', 'stance'),
       meanings={
           'title': 'Title of the re-proposed article.',
           'stance': 'positions.stance (sponsor = proposes re-adding; delete = opposes).',
           'from_article': 'The ahc4-cnd article it re-proposes.',
       })

_table('bracket_density', "Bracket density per document × article (`treatydrafts.density`). One bracket = one opener (`[`, or the CND's single `{`) with its closer; nested spans count on their own, adjacent spans separately; an opener never closed in its article is still one span (`n_unclosed`); a closer without opener is not a span (`n_unmatched_closers`); struck spans count (`n_struck`). A span belongs to the article holding its opener line (heading included). Rows of `ahc6-amended-draft` are estimates (`is_estimate`): most of its `[` were lost in extraction; missing values there (empty in the CSV, null in Parquet) mark what the damaged text cannot show.",
       ('doc_id', 'article_seq', 'article', 'chapter', 'title', 'display_title', 'start_line', 'end_line', 'n_words', 'n_chars', 'n_brackets', 'n_top_level', 'n_attributed', 'n_unattributed', 'n_placeholders', 'n_struck', 'n_unclosed', 'n_unmatched_closers', 'max_depth', 'bracketed_char_share', 'brackets_per_1000_words', 'n_options', 'n_alt_paragraphs', 'n_added_paragraphs', 'n_alternative_terms', 'n_proposals', 'n_delegations', 'is_estimate', 'n_brackets_low', 'n_brackets_high', 'brackets_per_1000_words_low', 'brackets_per_1000_words_high', 'n_open_observed', 'n_close_observed',),
       ('doc_id', 'article_seq'),
       meanings={
           'n_chars': "Characters on the article's text lines that count for the share: not whitespace, not `~` strikethrough markers (struck text itself counts). For the damaged draft: the decoded characters that survived.",
           'start_line': 'First line of the article (its heading): every count traces to lines start_line..end_line.',
           'n_words': "Words (runs of letters/digits) on the article's text lines, heading included (layout, footnote and blank lines excluded), as written, struck and bracketed text included. Estimate for the damaged draft: counted characters / character survival rate / characters per word of the Chair's draft.",
           'n_brackets': 'Bracket spans whose opener lies in the article, nested ones included (= `n_attributed + n_unattributed`). Damaged draft: posterior median of the true number (see `n_open_observed`).',
           'n_proposals': 'Rows of `proposals` in the article.',
           'n_delegations': "Distinct non-empty `positions.delegation_id` on the article's proposals (any stance).",
           'n_attributed': 'Spans carrying a delegation tail/list (`brackets.is_attributed`). Damaged draft: recovered amendment lists with at least one position, capped at n_brackets.',
           'n_placeholders': 'Spans that are placeholders to fill in (`[date]`, `[city]`, `[place]`, `[country]`, …): bracketed but not contested wording; included in n_brackets.',
           'n_options': "Substitute or additional wordings on offer beyond the first: n_alt_paragraphs + n_added_paragraphs + n_alternative_terms + 1 if the article's own label has `alt`.",
           'is_estimate': 'True where the bracket measures are inferred (the damaged `ahc6-amended-draft`), false where counted.',
       },
       nullable=('n_top_level', 'n_unclosed', 'max_depth', 'bracketed_char_share'))

_table('bracket_survival', "How often `[` and `]` survived the extraction of `ahc6-amended-draft`: every closed top-level bracket of the Chair's draft (`ahc6-chair-draft`) inside an article, with its context, looked for in the damaged text of the same article (`treatydrafts.density.measure_survival`).",
       ('ref_doc', 'ref_line', 'ref_offset', 'char', 'article', 'doc_id', 'start_line', 'end_line', 'match_offset', 'match_score', 'is_unamended', 'survived',),
       ('ref_doc', 'ref_offset'),
       meanings={
           'start_line': 'First line of the damaged article searched.',
           'end_line': 'Last line of the damaged article searched.',
           'article': 'Article label (same in both drafts).',
       })

_table('bracket_density_drafts', 'Per-draft summary in the style of climate-talks bracket trackers: sums over the articles of `bracket_density` (brackets outside articles, e.g. in a table of contents, are not counted).',
       ('doc_id', 'session_order', 'n_articles', 'n_words', 'n_brackets', 'n_brackets_low', 'n_brackets_high', 'n_attributed', 'n_placeholders', 'brackets_per_1000_words', 'n_bracketed_articles', 'n_options', 'n_proposals', 'n_delegations', 'is_estimate',),
       ('doc_id',),
       meanings={
           'n_words': 'Sum of bracket_density.n_words (estimate for the damaged draft).',
           'n_articles': 'Articles in the document.',
           'n_brackets': 'Sum of n_brackets (estimate for the damaged draft).',
           'n_proposals': 'Sum of n_proposals.',
           'n_delegations': "Distinct delegations with a position anywhere in the document's articles.",
           'n_attributed': 'Sum of n_attributed.',
           'n_placeholders': 'Sum of n_placeholders.',
           'n_options': 'Sum of n_options.',
           'is_estimate': 'True for the damaged draft.',
           'n_brackets_low': 'Lower end of the 90% interval of the sum (estimate; = n_brackets when counted): joint posterior over articles.',
           'n_brackets_high': 'Upper end of the 90% interval of the sum.',
       })

_table('bracket_density_alignment', "Every article of `bracket_density` mapped to an article of the Chair's draft (`ahc6-chair-draft`), the rows of the bracket-density heatmap (`treatydrafts.density.align_articles`).",
       ('doc_id', 'article_seq', 'ref_article_seq', 'ref_article', 'method', 'ratio',),
       ('doc_id', 'article_seq'),
       meanings={
           'method': ("How it was aligned: self (the Chair's draft itself) / lineage (`article_lineage` links it to the Chair's draft) / label (the damaged `ahc6-amended-draft`: same article label) / title (most similar title, ratio >= 0.6) / none.", ALIGN_METHODS),
       })


# ---- issue 15: provisions, proposal outcomes, influence

_table('article_crosswalk', "Article crosswalk along the negotiating chain (ahc4-cnd → ahc6-chair-draft → ahc6-amended-draft, and ahc4-cnd → ahc6-amended-draft for re-proposals), every chapter: chapter II from `article_lineage`, the other chapters from the reviewed `data/article_crosswalk_reviewed.csv` (`treatydrafts.analysis.crosswalk`).",
       ('from_doc', 'from_article_seq', 'from_article', 'from_title', 'to_doc', 'to_article_seq', 'to_article', 'to_title', 'relation', 'score', 'title_score', 'text_score', 'method', 'confirmed', 'note',),
       ('from_doc', 'from_article_seq', 'to_doc', 'to_article_seq'),
       meanings={
           'from_article': 'Article label in from_doc (empty for `new`).',
           'method': '`reviewed` (a row of a reviewed crosswalk) or `auto` (automatic match not in the reviewed files).',
           'note': "Reviewer's note, or the automatic matcher's note.",
       })

_table('provision_articles', 'Every article of the negotiating chain with its stable provision id (`treatydrafts.analysis.crosswalk`).',
       ('provision_id', 'doc_id', 'article_seq', 'article', 'chapter', 'title', 'start_line', 'end_line', 'relation', 'confirmed', 'note',),
       ('doc_id', 'article_seq'),
       meanings={
           'relation': ("How the article relates to the draft before it: `origin` (ahc4-cnd), else its `article_crosswalk` relation (same / renamed / merged / absorbed / split / re-proposed / new).", PROVISION_RELATIONS),
           'confirmed': 'The link was checked by a person (reviewed crosswalk).',
           'note': "The crosswalk's note (for re-proposals: the CND articles re-proposed).",
       })

_table('provisions', "The renumbering crosswalk: one row per provision, its article in the CND, the Chair's draft, the amended draft and the adopted convention (A/RES/79/243), with the adopted link's confidence and sources (`data/adopted_crosswalk_reviewed.csv`; `docs/crosswalk.md`).",
       ('provision_id', 'chapter', 'title', 'cnd_article', 'chair_article', 'amended_article', 'adopted_article', 'adopted_title', 'adopted_relation', 'adopted_confidence', 'adopted_verified', 'citation', 'fate',),
       ('provision_id',),
       meanings={
           'chapter': "Chapter label in the Chair's draft (in the CND or the amended draft when the Chair's draft has no such article; in the adopted text for `adopted-*` rows).",
           'title': "The provision's title as a reader would quote it (Chair's draft, else the earliest draft): struck words and delegation proposals removed, first of alternative terms kept.",
       })

_table('adopted_articles', 'The articles of the adopted United Nations Convention against Cybercrime (A/RES/79/243), as far as public sources show them (`data/adopted_articles_reviewed.csv`; `docs/crosswalk.md`).',
       ('adopted_article', 'adopted_title', 'adopted_chapter', 'chapter_title', 'adopted_verified', 'citation',),
       ('adopted_article',))

_table('proposal_outcomes', "What became of every CND proposal in the Chair's draft: one row per unit (a proposal and its sponsor group, or its delete group), with both ends' lines and offsets (`treatydrafts.analysis.outcomes`).",
       ('doc_id', 'proposal_id', 'unit_group', 'delegation_ids', 'n_delegations', 'article_seq', 'article', 'paragraph', 'kind', 'target_scope', 'line', 'start_offset', 'end_offset', 'text', 'outcome', 'to_doc', 'to_article_seq', 'to_article', 'to_line', 'to_start_offset', 'to_end_offset', 'to_text', 'score', 'paragraph_score', 'method', 'n_article_proposals', 'note',),
       ('doc_id', 'proposal_id', 'unit_group'),
       meanings={
           'kind': ('proposals.kind of the CND proposal.', PROPOSAL_KINDS),
           'n_delegations': 'Delegations of the group (resolved ids).',
           'line': 'Line of the compared CND wording (the proposal, or the deletion target).',
           'start_offset': 'Offset of the compared CND wording: the proposed new words (a replacement keeps its new words), or the words, paragraph or article a deletion targets.',
           'end_offset': 'Offset just past the compared CND wording.',
           'text': 'The compared CND wording as written: `source[start_offset:end_offset]` of `ahc4-cnd` (nested proposals and struck words inside it are not compared).',
           'to_doc': "`ahc6-chair-draft` (empty for article_dropped).",
           'to_article_seq': "article_seq of the counterpart article in the Chair's draft (0 = none).",
           'to_article': "Label of the counterpart article (empty = none).",
           'score': "Similarity: share of the wording's content words found in order in its best window of the counterpart (1 for verbatim; see `treatydrafts.analysis.outcomes`).",
           'method': 'The rule that decided the outcome, in words.',
           'note': 'How the compared wording was read from the proposal.',
       },
       nullable=('paragraph_score',))

_table('outcome_validation', "The hand-judged validation sample (`data/validation/`): every judged unit with the automatic and the judged outcome.",
       ('unit_id', 'proposal_id', 'unit_group', 'article', 'line', 'outcome', 'judged_outcome', 'judged_confidence', 'is_agreement', 'to_article', 'judged_note',),
       ('unit_id',),
       meanings={
           'outcome': ('The automatic outcome (`proposal_outcomes`).', PROPOSAL_OUTCOMES),
           'is_agreement': 'The automatic outcome equals the judged one (seven categories).',
           'to_article': "The Chair's-draft article the automatic method compared with (empty = none).",
       })

_table('outcome_agreement', 'Agreement of the automatic outcomes with the hand judgements, per category, with 95% Wilson intervals; `all` rows give the overall share of agreement (n_agree / n_judged over all units).',
       ('scheme', 'outcome', 'n_judged', 'n_auto', 'n_agree', 'agreement', 'agreement_low', 'agreement_high', 'precision', 'precision_low', 'precision_high',),
       ('scheme', 'outcome'),
       meanings={
           'outcome': ('The category (`not_verbatim` = substance + not_taken_up in the merged schemes; `all` = every unit: overall agreement).', PROPOSAL_OUTCOMES + ('not_verbatim', 'all')),
           'precision': 'n_agree / n_auto: share of the units the method placed in the category that the judge also placed there (missing when n_auto is 0).',
       },
       nullable=('agreement', 'agreement_low', 'agreement_high', 'precision', 'precision_low', 'precision_high'))

_table('delegation_influence', "Per delegation: the CND proposals it sponsored and what became of them, the deletions it asked for, raw and contestation-adjusted take-up rates with 95% intervals, its blocs (`treatydrafts.analysis.influence`).",
       ('delegation_id', 'name', 'regional_group', 'bloc_ahc4', 'bloc_ahc6', 'n_sponsor_units', 'n_taken_up', 'n_substance', 'n_not_taken_up', 'n_article_dropped', 'share_taken_up', 'share_low', 'share_high', 'expected_taken_up', 'adjusted_share', 'adjusted_low', 'adjusted_high', 'n_delete_units', 'n_deletion_achieved', 'n_deletion_not_achieved', 'share_deletion_achieved', 'deletion_low', 'deletion_high', 'n_restore_attempts',),
       ('delegation_id',),
       meanings={
           'n_article_dropped': "Sponsor units in CND articles with no counterpart in the Chair's draft (counted as not taken up).",
       },
       nullable=('bloc_ahc4', 'bloc_ahc6', 'share_taken_up', 'share_low', 'share_high', 'adjusted_share', 'adjusted_low', 'adjusted_high', 'share_deletion_achieved', 'deletion_low', 'deletion_high'))

_table('group_influence', 'The same measures per Louvain bloc of the 4th session and per UN regional group: a unit counts for a group when at least one of its delegations belongs to it (so a unit can count for several groups).',
       ('grouping', 'group_value', 'n_delegations', 'n_sponsor_units', 'n_taken_up', 'share_taken_up', 'share_low', 'share_high', 'expected_taken_up', 'adjusted_share', 'adjusted_low', 'adjusted_high', 'n_delete_units', 'n_deletion_achieved', 'n_deletion_not_achieved', 'share_deletion_achieved', 'deletion_low', 'deletion_high',),
       ('grouping', 'group_value'),
       meanings={'n_delegations': 'Delegations in the group with at least one unit.'},
       nullable=('share_taken_up', 'share_low', 'share_high', 'adjusted_share', 'adjusted_low', 'adjusted_high', 'share_deletion_achieved', 'deletion_low', 'deletion_high'))

_table('influence_model', "The contestation model behind the adjusted rates: logistic regression of take-up (outcome verbatim) of the sponsor units on log(1 + proposals in the unit's CND article).",
       ('term', 'coefficient', 'odds_ratio', 'odds_ratio_low', 'odds_ratio_high', 'n',),
       ('term',),
       meanings={'n': 'Sponsor units in the fit.'})

_table('delegation_partners', "Each delegation's closest co-sponsors and opponents per session (top 10 by proposals; from the ties of `treatydrafts.networks`, usable positions only).",
       ('doc_id', 'delegation_id', 'relation_kind', 'rank', 'partner', 'n_proposals', 'weight',),
       ('doc_id', 'delegation_id', 'relation_kind', 'rank'),
       meanings={
           'n_proposals': 'Proposals on which the two were co-sponsors (cosponsor) or on opposite sides (oppose).',
           'weight': 'Sum of the tie weights (Newman weighting × recovery confidence; as `coalition_edges.weight`).',
           'rank': 'Rank of the partner for the delegation (1 = most proposals together or against).',
       })

_table('restoration_attempts', "6th-session proposals (ahc6-amended-draft) in provisions that had CND text the Chair left out, read against that text: does the damaged wording restore dropped CND text? Sponsors are recovered names (`positions.resolution == 'recovered'`) at or above the confidence threshold (`treatydrafts.analysis.outcomes.restoration_attempts`).",
       ('doc_id', 'proposal_id', 'article_seq', 'article', 'provision_id', 'line', 'start_offset', 'end_offset', 'text', 'n_letters', 'delegation_ids', 'n_delegations', 'restoration', 'score', 'chair_score', 'from_doc', 'from_proposal_id', 'from_line', 'from_start_offset', 'from_end_offset', 'from_text',),
       ('doc_id', 'proposal_id'),
       meanings={
           'text': 'The damaged wording as read (`proposals.text`).',
           'delegation_ids': 'Sponsors read with a recovered name at or above the confidence threshold, sorted, `, `-separated.',
           'n_delegations': 'Number of those sponsors.',
           'score': 'Alignment score of the damaged wording against its best CND passage, per damaged character: +2 per matched character, -1 per CND character lost, -2 per extra damaged character (about 1.4 for a faithful copy at the measured 39% loss; random text scores below 0.5).',
           'from_doc': '`ahc4-cnd` (empty when no passage).',
       })


_table('findings', 'Every number quoted in the notebooks\' question-and-answer summaries, the figure captions and the gallery, computed from the other tables by the build (`treatydrafts.analysis.findings`): a changed finding changes this table.',
       ('finding', 'quoted_value', 'finding_description', 'source_tables'),
       ('finding',))


def read_text_csv(path) -> pd.DataFrame:
    """Read a CSV with every column as ``str`` and no NA guessing: empty cells stay ``""``
    and Namibia's ``NA`` stays a string (a plain ``pd.read_csv`` would make it missing)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8")


def empty_frame(name: str) -> pd.DataFrame:
    """An empty DataFrame with the table's columns and dtypes."""
    t = TABLES[name]
    return pd.DataFrame({c.name: pd.Series([], dtype=c.pandas_dtype) for c in t.columns})


def validate(df: pd.DataFrame, name: str, sort: bool = True) -> pd.DataFrame:
    """Check ``df`` against table ``name``: exact columns, dtypes, no missing
    values (except in the table's ``nullable`` columns), unique primary key.
    Returns a copy cast to the declared dtypes (``Int64`` for a nullable
    integer column), in declared column order, sorted by primary key (when ``sort``).
    """
    t = TABLES[name]
    missing = [c for c in t.names if c not in df.columns]
    extra = [c for c in df.columns if c not in t.names]
    if missing or extra:
        raise SchemaError(f"table {name!r}: missing columns {missing}, unexpected columns {extra}")
    out = df[t.names].copy()
    for col in t.columns:
        s = out[col.name]
        if not col.nullable and s.isna().any():
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
            elif col.nullable and col.dtype == "int":
                if s.dtype == object:  # None / pd.NA among ints
                    s = pd.to_numeric(s.where(s.notna(), None), errors="raise")
                out[col.name] = s.astype(col.pandas_dtype)
            else:
                out[col.name] = s.astype(col.pandas_dtype)
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


# Conventions shown at the top of the data dictionary (Markdown).
CONVENTIONS = """\
Naming conventions (after PUDL): `doc_id` names a source document;
`*_seq` is a 1-based ordinal unique within a document (0 = none);
`*_line` / `line` are 1-based line numbers in the source file;
`*_offset` are 0-based character offsets into the source file (end
exclusive); `is_*` are booleans; `n_*` are counts; `share` values lie
in [0, 1].  Missing text is the empty string, never NaN, so codes such as
Namibia's `NA` survive every CSV round trip.  A number is missing only
where a table's column list says *nullable* (a count that does not apply,
or that the damaged draft cannot show): null in Parquet, an empty cell in
the CSV; it is never coded as `-1` or `0`.

Every column name has one definition (the field index at the end); a
table's column list gives the meaning in that table where it needs the
table's context."""


# How to read the CSVs safely (shown in the data dictionary; the README carries the same recipes,
# tests/test_csv_safety.py runs the pandas ones on the real files).
PANDAS_RECIPE = """\
import pandas as pd

# exact: the Parquet copy is typed, nothing is guessed (missing counts are <NA>)
positions = pd.read_parquet("data/positions.parquet")

# CSV: only empty cells are missing; Namibia's "NA" stays text
positions = pd.read_csv("data/positions.csv", keep_default_na=False, na_values=[""])"""

R_RECIPE = """\
# exact: the Parquet copy (package arrow)
positions <- arrow::read_parquet("data/positions.parquet")

# base R: no string is NA; empty text stays "", empty numbers are NA
positions <- read.csv("data/positions.csv", na.strings = character(0), encoding = "UTF-8")

# readr: only empty cells are NA (empty text too); "NA" stays text
positions <- readr::read_csv("data/positions.csv", na = "")"""

READING_CSV = f"""\
## Reading the CSV files

Namibia's ISO code is `NA` (`delegations.iso2`; also 7 rows of
`positions.code_as_written`), which the common readers take for a missing
value by default, and some text is empty (an unresolved
`positions.delegation_id`).  What the readers do with our CSVs:

| reader, default options | `"NA"` | empty text `""` | empty number |
|---|---|---|---|
| `pandas.read_csv` | missing | missing | missing |
| R `read.csv` | missing | `""` | `NA` |
| readr `read_csv` | missing | `NA` | `NA` |
| `pyarrow.csv.read_csv` | text | text | missing |
| PostgreSQL `COPY … (FORMAT csv)` | text | text | `NULL` |

pandas, `read.csv` and readr compare a cell with their NA strings after
removing its quotes (readr's `quoted_na` switch is deprecated since readr
2.0.0), so quoting `"NA"` does not protect it there.  The CSVs follow the
convention of the readers that do look at quotes (PostgreSQL,
`data.table::fread`, which reads `,"",` as an empty string and `,,` as
`NA`): every text cell is quoted (`"NA"`, `""`), numbers and booleans are
not, and a missing number is an empty unquoted cell.  For pandas and R,
switch NA guessing off:

```python
{PANDAS_RECIPE}
```

```r
{R_RECIPE}
```

Both still guess column types: a label whose values all look like numbers
(`articles.cluster`, `bracket_survival.article`,
`bracket_density_alignment.ref_article`) comes back as a number unless you
say `dtype={{"cluster": str}}` (pandas) or `colClasses` (R).
In Python, `treatydrafts.store.read_table("positions")` reads a CSV exactly
as the library wrote it (empty text stays `""`); the Parquet copies and
`data/datapackage.json` (Frictionless: field types, `missingValues` per
field) carry the types for any other tool."""


def data_dictionary_markdown() -> str:
    """The data dictionary (docs/data-dictionary.md), generated from :data:`TABLES` and :data:`FIELDS`."""
    out = [
        "# Data dictionary",
        "",
        "Generated from `src/treatydrafts/schema.py` by `treatydrafts build`; do not edit by hand.",
        "Every table is written to `data/<table>.csv` and `data/<table>.parquet`.",
        "",
        CONVENTIONS,
        "",
        READING_CSV,
        "",
    ]
    used: dict[str, list[str]] = {}
    for t in TABLES.values():
        if not t.exported:
            continue
        out += [f"## `{t.name}`", "", t.description, "", f"Primary key: {', '.join(f'`{k}`' for k in t.primary_key)}", "",
                "| column | type | meaning |", "|---|---|---|"]
        out += [f"| `{c.name}` | {_type_label(c)} | {c.meaning.replace('|', '/')}"
                + (f" Allowed: {', '.join(f'`{v}`' if v else '(empty)' for v in c.values)}." if c.values else "")
                + " |" for c in t.columns]
        out.append("")
        for c in t.columns:
            used.setdefault(c.name, []).append(t.name)
    out += ["## Field index", "", "Every column name, defined once (dtype and generic meaning), and the tables that use it.", "",
            "| field | type | meaning | tables |", "|---|---|---|---|"]
    for name in sorted(used):
        f = FIELDS[name]
        out.append(f"| `{name}` | {f.dtype} | {f.meaning.replace('|', '/')} | "
                   + ", ".join(f"`{t}`" for t in used[name]) + " |")
    out.append("")
    return "\n".join(out)


def _type_label(c: Column) -> str:
    label = "str (date)" if FIELDS[c.name].is_date else c.dtype
    return f"{label}, nullable" if c.nullable else label
