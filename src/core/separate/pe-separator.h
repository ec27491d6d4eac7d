/* pe-separator.h: separator sheets: barcodes, QR codes and Kodak patch codes on a page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A separator sheet carries a code whose text is one of the configured separator texts
 * (default "PATCHT", case-sensitive, the Paperless-ngx convention). QR Code, Code 128,
 * Code 39, Code 93 and Interleaved 2 of 5 are read with libzbar at any of the four
 * orientations (QR at any angle); Kodak patch codes (four bars, read by scanners in hardware,
 * not by zbar) are found by a small reader of our own and reported as "PATCH 1" … "PATCH T".
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <allheaders.h>

#include "pe-types.h"

G_BEGIN_DECLS

typedef struct
{
  char     *type;    /* zbar's name ("QR-Code", "CODE-128", "CODE-39", …) or "PATCH" */
  char     *text;    /* decoded data; "PATCH 1", "PATCH 2", "PATCH 3", "PATCH 4", "PATCH 6",
                      * "PATCH T" for patch codes */
  gboolean  matches; /* its text is one of the separator texts, and it is not faint */
  guint     contrast; /* grey levels between its dark and its light parts (0–255) */
  /* Bounding box in pixels of the page passed in (x, y = top left corner). */
  guint     x;
  guint     y;
  guint     width;
  guint     height;
} PeSymbol;

typedef struct
{
  /* NULL-terminated, owned; compared exactly (case-sensitive) with each symbol's text.
   * Default { "PATCHT" }. "PATCH T" makes Kodak Patch T sheets separators (read either
   * way up, see pe-separator.c). */
  char    **texts;
  /* 1, 2, 4 or 8: the page is read at 1/reduction of its resolution. 0 (default) = the
   * lowest resolution of at least 75 dpi (4 at 300 dpi, 2 at 200 dpi), about 10 ms a page;
   * it reads Code 128 from 0.34 mm modules and QR codes from 0.9 mm modules (a 21-module
   * code 19 mm wide). Smaller QR codes need 2 (from 0.6 mm) or 1 (from 0.35 mm) at 300 dpi,
   * at 2.5 or 10 times the time, and full resolution reads noisy pages worse
   * (bench/separate/README.md). */
  guint     reduction;
  /* Also look for Kodak patch codes (about 1 ms per page). */
  gboolean  patch_codes;
  /* A code whose dark parts are less than this many grey levels (0–255) darker than its
   * light parts is bleed-through from the other side of the sheet (the back of a separator
   * sheet shows its code mirrored at 5–15 % contrast, and zbar reads it): it is reported
   * but never makes a separator. A printed code, even faded, has over 100. Default 64. */
  guint     min_contrast;
} PeSeparatorParams;

typedef struct
{
  gboolean   is_separator;  /* some symbol matches */
  GPtrArray *symbols;       /* PeSymbol *, in zbar's order, then patch codes */
  guint      reduction;     /* the reduction used */
  double     ms;            /* wall time of pe_separator_detect() */
} PeSeparator;

void      pe_separator_params_init_default (PeSeparatorParams        *params);
void      pe_separator_params_clear        (PeSeparatorParams        *params);
/* Replaces params->texts by the ';'-separated list @texts (the profile key SeparatorTexts,
 * e.g. "PATCHT;PATCH T"); spaces inside a text are kept, empty items are dropped. NULL or
 * an empty list leaves the default. FALSE with PE_ERROR_INVALID for a text with control
 * characters. */
gboolean  pe_separator_params_set_texts    (PeSeparatorParams        *params,
                                            const char               *texts,
                                            GError                  **error);

void      pe_separator_init                (PeSeparator              *out);
void      pe_separator_clear               (PeSeparator              *out);

/* Reads every code on @page (1, 8 or 32 bpp, colormaps allowed, never modified) into @out,
 * which is reset first, and tells whether the page is a separator sheet. A page without any
 * code is not an error. Thread-safe: every call has its own zbar scanner, no global state. */
gboolean  pe_separator_detect              (PIX                      *page,
                                            const PeSeparatorParams  *params,
                                            PeSeparator              *out,
                                            GError                  **error);

/* @out as a JSON object for the page's report: {"separator":…, "symbols":[{"type","text",
 * "box":[x,y,w,h]}…], "ms":…}; a node to put into the report as it is built. */
JsonNode *pe_separator_to_json             (const PeSeparator        *out);

G_END_DECLS
