/* pe-clean-private.h: helpers shared by the cleanup steps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-page-clean.h"

G_BEGIN_DECLS

/* pe-types.h has PIX; the other Leptonica containers the steps use. */
static inline void _pe_box_free  (BOX  *b) { boxDestroy (&b); }
static inline void _pe_boxa_free (BOXA *b) { boxaDestroy (&b); }
static inline void _pe_pixa_free (PIXA *p) { pixaDestroy (&p); }
static inline void _pe_numa_free (NUMA *n) { numaDestroy (&n); }
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BOX, _pe_box_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BOXA, _pe_boxa_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PIXA, _pe_pixa_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NUMA, _pe_numa_free)

/* Analysis images are binary copies at about 150 dpi: enough for skew, orientation, borders
 * and blank detection, and four times fewer pixels than a 300 dpi page. */
#define PE_CLEAN_ANALYSIS_MIN_DPI 125

/* On a background-normalised page (paper = 255) this separates ink from paper, bleed-through
 * (at most ~12 % darker than the paper) and fold shadows. */
#define PE_CLEAN_INK_THRESHOLD 160

/* Skew confidence (line-profile sharpness, see pe-deskew.c) below which there are no text
 * lines to measure; below SPARSE the page has only a few lines and the estimate is refined at
 * full resolution. */
#define PE_CLEAN_MIN_SKEW_CONFIDENCE 2.0
#define PE_CLEAN_SPARSE_SKEW_CONFIDENCE 5.0

/* Despeckle keeps a speck-sized dot that is a diacritic: larger ink within GAP below it, none
 * within GAP above, and a second such dot at the same height within PAIR (ä, ö, ü). */
#define PE_CLEAN_DIACRITIC_GAP_MM 0.8
#define PE_CLEAN_DIACRITIC_PAIR_MM 1.2

static inline int
_pe_mm_to_px (double mm,
              int    dpi)
{
  return (int) (mm * dpi / 25.4 + 0.5);
}

int       _pe_clean_get_dpi          (PIX          *pix);

/* @page as 1, 8 or 32 bpp without colormap: a new reference when it is one already, else a
 * converted copy with the same resolution. */
PIX      *_pe_clean_plain            (PIX          *page);
double    _pe_clean_elapsed_ms       (gint64        start_usec);

/* Scanner borders are found on the page as scanned (normalisation would treat a dark strip as
 * a missing background and smear it): anything this dark is border or ink on any paper. */
#define PE_CLEAN_BORDER_THRESHOLD 128

/* 1 bpp copy of an 8 bpp page, reduced by powers of 2 to >= 125 dpi. */
PIX      *_pe_clean_analysis_binary  (PIX          *grey,
                                      int           dpi,
                                      int           threshold,
                                      int          *factor);

/* What every step measures on, made once per page. Nothing in it is at full resolution: the
 * full-size pages are made at the end by _pe_clean_render(), in one pass over the page. */
typedef struct
{
  int    dpi;       /* of the page */
  int    factor;    /* analysis reduction */
  int    adpi;      /* dpi / factor */
  PIX   *reduced;   /* 8 bpp luma at adpi (area mean), dark borders painted white */
  PIX   *norm;      /* the same, background-normalised, borders and holes painted white */
  PIX   *sample;    /* 8 bpp luma of every factor-th pixel (not averaged), erased like norm:
                     * the full page's histogram for the threshold */
  gboolean sample_normalised;
  PIX   *bin;       /* 1 bpp ink of norm at adpi, borders and holes cleared */
  PIX   *erase;     /* 1 bpp at adpi: what is painted white on the full-size pages */
  PIX   *inv_map;   /* inverse background map (16 bpp, 8.8 fixed point), or NULL */
  int    map_sx;    /* its tile size at full resolution */
  int    map_sy;
  double color_fraction;   /* 32 bpp pages: see _pe_clean_color_stats() */
  int    paper[3];         /* 32 bpp pages: the paper's colour */
  guint  n_edges;
  guint  n_holes;
} PeCleanAnalysis;

gboolean  _pe_clean_analyse          (PIX             *src,
                                      gboolean         crop_borders,
                                      double           max_border_mm,
                                      gboolean         remove_holes,
                                      gboolean         normalize,
                                      PeCleanAnalysis *analysis);
void      _pe_clean_analysis_clear   (PeCleanAnalysis *analysis);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PeCleanAnalysis, _pe_clean_analysis_clear)

/* Masks at the analysis resolution (@adpi) of what the border and hole steps remove. */
PIX      *_pe_clean_border_mask      (PIX          *bin,
                                      int           adpi,
                                      double        max_border_mm,
                                      guint        *n_edges);
PIX      *_pe_clean_hole_mask        (PIX          *bin,
                                      int           adpi,
                                      guint        *n_holes);

/* Paints @mask (at 1/@factor of @pix's size) white into @pix (1, 8 or 32 bpp). */
void      _pe_clean_paint_white      (PIX          *pix,
                                      PIX          *mask,
                                      int           factor);

/* Sets the pixels of the full-size 1 bpp @specks to white in @pix (8 or 32 bpp). */
void      _pe_clean_paint_specks     (PIX          *pix,
                                      PIX          *specks);

double    _pe_clean_find_skew_bin    (PIX          *bin,
                                      double        max_skew_deg,
                                      double       *confidence);

/* Skew re-measured near @skew_deg on @bin, the page's ink at full resolution. */
double    _pe_clean_refine_skew      (PIX          *bin,
                                      double        skew_deg);

/* TRUE when the text lines of the analysis image run vertically. @skew_deg and @skew_conf
 * come in as measured on the page as scanned; when TRUE they are replaced by those of the
 * lines in the page turned 90° clockwise (the same angle applies to the page as scanned:
 * rotations commute). */
gboolean  _pe_clean_is_landscape     (PIX          *bin,
                                      double        max_skew_deg,
                                      double       *skew_deg,
                                      double       *skew_conf);

/* Copy of the full-resolution 1 bpp @flat, straightened by @skew_deg, without what is not
 * text (components of the analysis image @bin, at 1/@factor and not straightened, taller than
 * 8 mm or wider than 40 mm). */
PIX      *_pe_clean_text_only        (PIX          *flat,
                                      PIX          *bin,
                                      int           factor,
                                      double        skew_deg);

/* Up/down of a straightened full-resolution 1 bpp page (turned 90° clockwise first when
 * @landscape); returns the whole clockwise correction 0/90/180/270. */
guint     _pe_clean_updown           (PIX          *straight_bin,
                                      gboolean      landscape,
                                      double       *orient_conf);

/* pixUpDownDetect()'s ascender and descender counts of a 1 bpp page, the same numbers, and
 * its confidence (0 when neither count exceeds @min_count). */
gboolean  _pe_clean_updown_counts    (PIX          *bin,
                                      int          *n_up,
                                      int          *n_down);
double    _pe_clean_updown_confidence (PIX         *bin,
                                      int           min_count);

double    _pe_clean_ink_ratio_bin    (PIX          *bin,
                                      int           adpi);

/* Tile size of the background maps at @dpi. */
void      _pe_clean_background_tiles (int           dpi,
                                      int          *sx,
                                      int          *sy);

/* The full-size pages, made in one pass over @src (1, 8 or 32 bpp): every pixel of the
 * result is fetched from @src rotated by @skew_deg clockwise about the centre (by Leptonica's
 * shears, pixel for pixel as pixRotateShearCenter(): pixels are moved, not blurred), painted
 * white where the analysis erased (if @erase) or a pixel of @specks (1 bpp, full size, or
 * NULL) and normalised with the analysis's background map (if @normalize; per channel
 * corrected for the paper's colour on 32 bpp). Any of the outputs may be NULL: @colour (32
 * bpp, only for a 32 bpp @src), @grey (8 bpp luma) and @bin (1 bpp: grey darker than
 * @threshold). White is brought in at the corners. With @consume, @src is used up: the memory
 * of the rows the pass has left behind goes back to the system as it goes, and the pixels
 * read there afterwards are zero. */
#define PE_CLEAN_RENDER_STRIP 1024   /* width of the strips it works in (see the .c) */
typedef gboolean PeCleanRenderFunc (PIX                   *src,
                                    const PeCleanAnalysis *a,
                                    gboolean               normalize,
                                    gboolean               erase,
                                    PIX                   *specks,
                                    double                 skew_deg,
                                    int                    threshold,
                                    PIX                  **colour,
                                    PIX                  **grey,
                                    PIX                  **bin,
                                    gboolean               consume);
PeCleanRenderFunc _pe_clean_render;
/* The same from pe-clean-render.c built a second time with PE_CLEAN_RENDER_SCALAR, only for
 * tests/process: the code that runs where there is no SSE2, compared with the vector code on
 * the machine that builds the tests. */
PeCleanRenderFunc _pe_clean_render_scalar;

/* Otsu's threshold of an 8 bpp image or of a histogram, kept in 100–200. */
int       _pe_clean_otsu_threshold   (PIX          *grey);
int       _pe_clean_otsu_histogram   (const double *hist);

/* Otsu's threshold of the normalised full page, from the analysis's sample. */
int       _pe_clean_page_threshold   (const PeCleanAnalysis *a);

/* Normalised grey and (optionally) the inverse background map it was made with. */
PIX      *_pe_clean_normalize_grey   (PIX          *grey,
                                      PIX         **inv_map);
/* pixApplyInvBackgroundGrayMap() that also covers the last columns/rows of a map made at a
 * lower resolution. */
PIX      *_pe_clean_apply_map        (PIX          *grey,
                                      PIX          *inv_map,
                                      int           sx,
                                      int           sy);
/* @grey reduced by powers of 2 to the analysis resolution (>= 125 dpi); @factor. */
PIX      *_pe_clean_reduce_grey      (PIX          *grey,
                                      int           dpi,
                                      int          *factor);
/* Luma of a 32 bpp page; every @step-th pixel of every @step-th row appended to @samples. */
PIX      *_pe_clean_rgb_to_grey      (PIX          *pix32,
                                      int           step,
                                      GArray       *samples);
/* From sampled RGBA pixels: the paper's colour (most frequent channel values among light
 * pixels) and the share of samples that are clearly coloured once it is divided out. */
void      _pe_clean_color_stats      (const guint32 *samples,
                                      gsize          n,
                                      double        *fraction,
                                      int            paper[3]);
double    _pe_clean_color_fraction   (PIX          *pix32,
                                      int           dpi);
/* @policy applied to a page of @depth; @norm_grey (normalised) only for the photo test. */
PeColorPolicy _pe_clean_decide_color (PeColorPolicy  policy,
                                      int            depth,
                                      double         color_fraction,
                                      double         min_fraction,
                                      PIX           *norm_grey);
double    _pe_clean_midtone_fraction (PIX          *grey);

/* Rotation by @skew_deg (clockwise, white brought in), then by @rotation (clockwise). With
 * neither, a new reference to @pix (not a copy). */
PIX      *_pe_clean_rotate           (PIX          *pix,
                                      double        skew_deg,
                                      guint         rotation);

G_END_DECLS
