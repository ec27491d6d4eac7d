/* pe-page-clean.h: page cleanup before OCR and PDF (deskew, orientation, borders, punch holes,
 * blank pages, colour decision, binarisation)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <allheaders.h>

#include "pe-types.h"

G_BEGIN_DECLS

typedef enum
{
  PE_COLOR_AUTO,      /* colour where it carries information, else bitonal (or grey for photos) */
  PE_COLOR_BITONAL,
  PE_COLOR_GREY,
  PE_COLOR_COLOR,
} PeColorPolicy;

/* On the degraded corpus both give the same OCR (CER 5.6 % vs 5.5 %) and size (21 KB G4 per
 * page); Otsu is 100 ms faster per 300 dpi page, so it is the default. */
typedef enum
{
  PE_BINARIZE_OTSU,     /* one Otsu threshold (kept in 100–200) on the normalised page */
  PE_BINARIZE_SAUVOLA,  /* Sauvola (2 mm window) on the normalised page, solid dark kept */
} PeBinarizeMethod;

/* Every step can be switched off; all sizes are in millimetres so they hold at any resolution.
 * The values of pe_clean_params_init_default() are tuned on the degraded corpus of
 * ../shared/corpus (see bench/cleanup/README.md). */
typedef struct
{
  gboolean          deskew;
  double            max_skew_deg;         /* search range ±; larger skews are left alone */
  double            min_skew_deg;         /* smaller skews are not corrected (no resampling) */
  gboolean          orientation;          /* 0/90/180/270 detection and correction */
  gboolean          crop_borders;         /* dark scanner edges painted white */
  double            max_border_mm;        /* how deep a dark edge region may reach */
  gboolean          remove_punch_holes;
  gboolean          despeckle;
  double            despeckle_max_mm;     /* isolated dots up to this size are noise */
  gboolean          normalize_background; /* yellowed / uneven paper to white */
  PeColorPolicy     color;
  double            color_min_fraction;   /* AUTO: coloured share of the page that keeps colour */
  double            blank_ink_ratio;      /* blank when less of the page than this is ink */
  PeBinarizeMethod  binarize;
} PeCleanParams;

typedef struct
{
  double         skew_deg;        /* measured skew, positive = page turned counter-clockwise
                                   * (the convention of the corpus truth); the page was
                                   * rotated clockwise by this much */
  double         skew_confidence;
  guint          rotation;        /* 0/90/180/270: clockwise rotation applied to correct */
  double         orientation_confidence;
  gboolean       blank;
  double         ink_ratio;       /* share of the page covered by ink (after cleanup) */
  double         color_fraction;  /* share of the page that is coloured */
  PeColorPolicy  chosen;          /* BITONAL, GREY or COLOR: what the returned page is */
  guint          n_border_edges;  /* edges where a dark scanner border was removed */
  guint          n_punch_holes;
  GPtrArray     *steps;           /* char *: "deskew -1.23°", … for the scan protocol */
  double         ms;              /* wall time of pe_page_clean() */
  double         orientation_ms;  /* part of ms spent on orientation detection */
} PeCleanReport;

/* A report is zero-initialised or made by pe_clean_report_init(); it can be passed to
 * pe_page_clean() again (it is reset) and is freed by pe_clean_report_clear(). */

/* Once per process, from main() before any thread starts (the app, the CLI, benchmarks):
 * - Leptonica's messages ("Error in boxClipToRectangle: …", printed by the library itself,
 *   also from inside Tesseract, which hands it boxes at the page edge) go to g_debug() in the
 *   "Leptonica" log domain instead of the terminal; every call that matters is checked and
 *   reported through GError. G_MESSAGES_DEBUG=Leptonica shows them again.
 * - with glibc, grey page buffers are reused from the heap instead of being mapped fresh and
 *   faulted in for every page, colour pages (35 MB at 300 dpi) are mapped so that their
 *   memory goes back when freed, and all threads share one malloc arena (see the .c for
 *   numbers).
 * These are process-wide settings, which is why a library function never makes them itself. */
void      pe_clean_setup_process        (void);

void      pe_clean_params_init_default  (PeCleanParams        *params);
void      pe_clean_report_init          (PeCleanReport        *report);
void      pe_clean_report_clear         (PeCleanReport        *report);

/* The whole cleanup. @page is 1, 8 or 32 bpp (colormaps are resolved) with its resolution set
 * (without one, A4 is assumed); it is never modified. Returns a new page: 1 bpp when bitonal
 * was chosen, 8 bpp grey or 32 bpp colour otherwise, with the input's resolution. A blank page
 * is still cleaned and returned; report->blank marks it (blank pages are never deleted here).
 * Thread-safe: no global state, any number of threads may clean pages at once. */
PIX      *pe_page_clean                 (PIX                  *page,
                                         const PeCleanParams  *params,
                                         PeCleanReport        *report,
                                         GError              **error);

/* The same, and in @ocr_grey (if not NULL) the cleaned page in 8 bpp grey as well
 * (normalised, straightened, upright, borders and holes erased): Tesseract's LSTM reads grey
 * lines, and on the degraded corpus it reads this grey page with less than half the errors
 * of the 1 bpp page (bench/cleanup/README.md). */
PIX      *pe_page_clean_with_grey       (PIX                  *page,
                                         const PeCleanParams  *params,
                                         PeCleanReport        *report,
                                         PIX                 **ocr_grey,
                                         GError              **error);

/* The same, taking the caller's reference to @page (transfer full, also on failure): it is
 * dropped as soon as the full-size pages are rendered from it, so a page turned by a quarter
 * never has three full-size copies in memory (what the pipeline needs; peak RSS). */
PIX      *pe_page_clean_take            (PIX                  *page,
                                         const PeCleanParams  *params,
                                         PeCleanReport        *report,
                                         PIX                 **ocr_grey,
                                         GError              **error);

/* The steps, each usable alone. They never modify their input; a returned PIX is new and
 * keeps the input's resolution. Any depth 1/8/32 is accepted unless stated otherwise. */

/* 8 bpp luminance copy. */
PIX      *pe_clean_to_grey              (PIX                  *page);

/* Paper background to white (255): removes yellowed or uneven paper and fold shadows.
 * 8 or 32 bpp in, same depth out. */
PIX      *pe_clean_normalize_background (PIX                  *page);

/* Dark regions connected to the image edge (scanner lid, the corners a skewed feed brings
 * in) up to @max_border_mm deep become white. @n_edges: how many of the 4 edges had one. */
PIX      *pe_clean_remove_borders       (PIX                  *page,
                                         double                max_border_mm,
                                         guint                *n_edges);

/* Filled dark discs 4–8 mm wide within 25 mm of an edge become white. */
PIX      *pe_clean_remove_punch_holes   (PIX                  *page,
                                         guint                *n_holes);

/* Skew in degrees (positive = page turned counter-clockwise), 0 when the page has too little
 * text to tell (@confidence below 3). Text must run horizontally. */
double    pe_clean_find_skew            (PIX                  *page,
                                         double                max_skew_deg,
                                         double               *confidence);

/* Finds the skew and rotates the page straight (white brought in at the corners). */
PIX      *pe_clean_deskew               (PIX                  *page,
                                         double                max_skew_deg,
                                         double                min_skew_deg,
                                         double               *skew_deg);

/* Clockwise rotation 0/90/180/270 that makes the text upright (Leptonica's ascender/descender
 * statistics for up/down, text-line direction for 90°). 0 with @confidence 0 when the page has
 * too little text. Works on skewed pages up to @max_skew_deg. */
guint     pe_clean_detect_orientation   (PIX                  *page,
                                         double                max_skew_deg,
                                         double               *confidence);

/* TRUE when less than @max_ink_ratio of the page is ink, after speckle, bleed-through and the
 * outer margin (where scanner edges live) are discounted. */
gboolean  pe_clean_is_blank             (PIX                  *page,
                                         double                max_ink_ratio,
                                         double               *ink_ratio);

/* What @policy makes of this page: BITONAL, GREY or COLOR (never AUTO). Under AUTO a 32 bpp
 * page stays colour when at least @min_fraction of it is clearly coloured (stamp, highlighter,
 * blue signature, letterhead); a page with large mid-grey areas (photo) stays grey. */
PeColorPolicy pe_clean_choose_color     (PIX                  *page,
                                         PeColorPolicy         policy,
                                         double                min_fraction,
                                         double               *color_fraction);

/* 1 bpp page from a (background-normalised) 8 or 32 bpp page. */
PIX      *pe_clean_binarize             (PIX                  *page,
                                         PeBinarizeMethod      method);

/* 1 bpp in and out: isolated dots no larger than @max_mm in both directions are removed,
 * except pairs of them side by side right above a letter (the dots of ä, ö, ü on faded or
 * small print). @n_removed: pixels removed. */
PIX      *pe_clean_despeckle            (PIX                  *bitonal,
                                         double                max_mm,
                                         guint                *n_removed);

const char *pe_color_policy_to_string   (PeColorPolicy         policy);

G_END_DECLS
