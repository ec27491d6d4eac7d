/* pe-splitter.h: a batch's pages into documents
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules, as a professional capture system applies them (pages in reading order):
 *
 *  1. Pages are grouped into physical sheets: pages with the same non-zero `sheet` are one
 *     sheet; with `sheet` 0 a back side joins the page before it and any other page starts a
 *     sheet (so simplex pages are one sheet each).
 *  2. A separator sheet is a sheet with a separator page on either side (a sheet fed upside
 *     down carries its code on the back). In every mode its pages are never part of a
 *     document, its other side included, whatever is on it (it is usually blank); they stay
 *     in the batch, marked (PE_SPLIT_ROLE_SEPARATOR), and are never deleted.
 *     Exception: keep_separator_pages makes the separator sheet the first sheet of the next
 *     document (Paperless-ngx' "retain split pages"); its blank side is still left out.
 *  3. Blank pages (duplex backs, empty pages) are left out of documents in every mode, as
 *     before splitting existed; they stay in the batch, marked (PE_SPLIT_ROLE_BLANK).
 *  4. PE_SPLIT_NONE: one document of all other pages (separator sheets left out, no split).
 *     PE_SPLIT_SEPARATOR: a separator sheet ends the document before it.
 *     PE_SPLIT_BLANK_SHEET: a blank sheet (all its sides blank; in simplex one blank page)
 *     ends the document before it too; a blank back of a content page does not.
 *     PE_SPLIT_PAGE_COUNT: a new document after every page_count document pages (blank
 *     pages do not count); a separator sheet also ends a document and restarts the count.
 *     Separator sheets split in BLANK_SHEET and PAGE_COUNT mode as well: a sheet with a
 *     separator code on it is never meant to be read as a letter.
 *  5. No empty documents: consecutive separator (or blank) sheets, a separator at the start
 *     or the end of the batch, and a batch of blank pages make no document. A document of
 *     kept separator pages only is dropped as well.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint64   id;
  gboolean blank;       /* cleanup marked the page blank */
  gboolean separator;   /* pe_separator_detect() found a separator code on it */
  gboolean back_side;   /* the back of a duplex sheet */
  guint    sheet;       /* physical sheet number, 0 when not known (see rule 1) */
} PeSplitPage;

typedef enum
{
  PE_SPLIT_NONE,         /* the batch is one document (the default) */
  PE_SPLIT_SEPARATOR,    /* separator sheets (QR code, barcode, patch code) */
  PE_SPLIT_BLANK_SHEET,  /* blank sheets, and separator sheets */
  PE_SPLIT_PAGE_COUNT,   /* every page_count pages, and at separator sheets */
} PeSplitMode;

typedef struct
{
  PeSplitMode mode;
  guint       page_count;            /* PAGE_COUNT: pages per document, ≥ 1 */
  gboolean    keep_separator_pages;  /* rule 2's exception */
} PeSplitParams;

/* What became of a page. */
typedef enum
{
  PE_SPLIT_ROLE_DOCUMENT,   /* in a document */
  PE_SPLIT_ROLE_BLANK,      /* left out: blank (rule 3) */
  PE_SPLIT_ROLE_SEPARATOR,  /* left out: a side of a separator sheet (rule 2) */
} PeSplitRole;

void         pe_split_params_init_default   (PeSplitParams        *params);

/* "none", "separator", "blank", "pages" (ASCII case ignored); FALSE for anything else. */
gboolean     pe_split_mode_from_string      (const char           *string,
                                             PeSplitMode          *mode);
const char  *pe_split_mode_to_string        (PeSplitMode           mode);

/* Fills @params from the profile keys SplitMode, SplitPages and KeepSeparatorPages as
 * written (each may be NULL: not set, default kept). FALSE with PE_ERROR_INVALID and a
 * message naming the key for a bad value, or SplitMode=pages without SplitPages ≥ 1. */
gboolean     pe_split_params_from_strings   (PeSplitParams        *params,
                                             const char           *split_mode,
                                             const char           *split_pages,
                                             const char           *keep_separator_pages,
                                             GError              **error);

/* The documents: a GPtrArray of GArray (gint64 page ids, in reading order), one per
 * document, in order; documents without pages are dropped (rule 5). @roles, if not NULL,
 * receives each page's role (@n entries). Pure: no I/O, no state. */
GPtrArray   *pe_split_documents             (const PeSplitPage    *pages,
                                             guint                 n,
                                             const PeSplitParams  *params);
GPtrArray   *pe_split_documents_with_roles  (const PeSplitPage    *pages,
                                             guint                 n,
                                             const PeSplitParams  *params,
                                             PeSplitRole          *roles);

G_END_DECLS
