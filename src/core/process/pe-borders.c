/* pe-borders.c: dark scanner edges and punch holes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "pe-clean-private.h"

/* Punch holes (ISO 838: 5.5 mm ± ~1 mm, centres 12 mm from the edge) as the scanner sees them:
 * solid dark discs. The window is generous for scaling and blur. */
#define HOLE_MIN_MM   3.5
#define HOLE_MAX_MM   8.0
#define HOLE_BAND_MM 22.0

/* How many lines from the edge are dark for at least 60 % of their length: a scanner strip,
 * even where content (a rule printed to the edge) touches it. @counts has @n lines. */
static int
strip_width (const int *counts,
             int        n,
             int        length,
             int        max_depth,
             gboolean   from_end)
{
  int width = 0;

  for (int i = 0; i < MIN (n, max_depth); i++)
    {
      if (counts[from_end ? n - 1 - i : i] * 10 < length * 6)
        break;
      width++;
    }
  return width;
}

/* Dark pixels per column of @bin, only for the @depth columns at either edge (all that
 * strip_width() reads): pixCountPixelsByColumn() tests every pixel of the page one by one. */
static void
count_edge_columns (PIX *bin,
                    int  depth,
                    int *counts)
{
  int w, h, wpl;
  l_uint32 *data;

  pixGetDimensions (bin, &w, &h, NULL);
  data = pixGetData (bin);
  wpl = pixGetWpl (bin);
  memset (counts, 0, w * sizeof (int));
  for (int y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl;

      for (int k = 0; k < wpl; k++)
        {
          l_uint32 v = line[k];

          /* Only the words that hold an edge column. */
          if ((k + 1) * 32 <= w - depth && k * 32 >= depth)
            continue;
          while (v != 0)
            {
              int b = __builtin_clz (v);
              int x = k * 32 + b;

              if (x < w && (x < depth || x >= w - depth))
                counts[x]++;
              v &= ~(0x80000000u >> b);
            }
        }
    }
}

PIX *
_pe_clean_border_mask (PIX    *bin,
                       int     adpi,
                       double  max_border_mm,
                       guint  *n_edges)
{
  g_autoptr(PIX) seed = NULL;
  g_autoptr(PIX) fill = NULL;
  g_autoptr(PIX) inner = NULL;
  PIX *mask;
  int w, h, depth, empty = 0;
  guint edges = 0;

  pixGetDimensions (bin, &w, &h, NULL);
  depth = MAX (1, _pe_mm_to_px (max_border_mm, adpi));

  /* Everything dark that touches the image edge … */
  seed = pixCreateTemplate (bin);
  pixSetOrClearBorder (seed, 1, 1, 1, 1, PIX_SET);
  pixAnd (seed, seed, bin);
  fill = pixSeedfillBinary (NULL, seed, bin, 8);

  /* … except regions that also reach deeper into the page than a scanner edge can: those are
   * content printed to the edge (a letterhead band), and content is never removed. */
  inner = pixCopy (NULL, fill);
  pixSetOrClearBorder (inner, depth, depth, depth, depth, PIX_CLR);
  pixZero (inner, &empty);
  if (!empty)
    {
      g_autoptr(PIX) deep = pixSeedfillBinary (NULL, inner, fill, 8);
      pixXor (fill, fill, deep);
    }

  /* A strip that content touches went with that content just now; strips run the whole edge,
   * so they are found again from the share of dark pixels per line. */
  {
    g_autofree int *cols = g_new (int, w);
    g_autofree int *rows = g_new (int, h);
    int left, right, top, bottom;

    count_edge_columns (bin, depth, cols);
    for (int y = 0; y < h; y++)
      {
        const l_uint32 *line = pixGetData (bin) + (gsize) y * pixGetWpl (bin);

        rows[y] = 0;
        for (int k = 0; k < w / 32; k++)
          rows[y] += __builtin_popcount (line[k]);
        if (w % 32 != 0)
          rows[y] += __builtin_popcount (line[w / 32] & ~(0xffffffffu >> (w % 32)));
      }
    left = strip_width (cols, w, h, depth, FALSE);
    right = strip_width (cols, w, h, depth, TRUE);
    top = strip_width (rows, h, w, depth, FALSE);
    bottom = strip_width (rows, h, w, depth, TRUE);

    if (left > 0)
      pixRasterop (fill, 0, 0, left, h, PIX_SET, NULL, 0, 0);
    if (right > 0)
      pixRasterop (fill, w - right, 0, right, h, PIX_SET, NULL, 0, 0);
    if (top > 0)
      pixRasterop (fill, 0, 0, w, top, PIX_SET, NULL, 0, 0);
    if (bottom > 0)
      pixRasterop (fill, 0, h - bottom, w, bottom, PIX_SET, NULL, 0, 0);
  }

  /* The anti-aliased, JPEG-ringing rim of a strip is lighter than the threshold; grow the
   * mask by ~0.3 mm so that it goes as well. */
  mask = pixDilateBrick (NULL, fill, 5, 5);

  if (n_edges != NULL)
    {
      /* An edge counts when its outermost line is at least a tenth dark. */
      const int rects[4][4] = {
        { 0, 0, w, 1 }, { 0, h - 1, w, 1 }, { 0, 0, 1, h }, { w - 1, 0, 1, h },
      };

      for (guint i = 0; i < 4; i++)
        {
          g_autoptr(BOX) box = boxCreate (rects[i][0], rects[i][1], rects[i][2], rects[i][3]);
          int count = 0;

          pixCountPixelsInRect (fill, box, &count, NULL);
          if (count * 10 >= MAX (rects[i][2], rects[i][3]))
            edges++;
        }
      *n_edges = edges;
    }

  return mask;
}

/* ISO 838 filing holes are 80 mm apart (two or four of them). */
#define HOLE_SPACING_MM 80.0
#define HOLE_SPACING_TOLERANCE_MM 4.0

static gboolean
looks_like_hole (PIX *comp,
                 int  adpi)
{
  g_autoptr(PIX) filled = NULL;
  int w, h, count = 0, filled_count = 0;
  int min_px = _pe_mm_to_px (HOLE_MIN_MM, adpi);
  int max_px = _pe_mm_to_px (HOLE_MAX_MM, adpi);
  double fill;

  pixGetDimensions (comp, &w, &h, NULL);
  if (w < min_px || h < min_px || w > max_px || h > max_px)
    return FALSE;
  if (w * 4 < h * 3 || h * 4 < w * 3)
    return FALSE;

  /* A disc fills π/4 of its box; letters of that size are outlines and fill far less … */
  pixCountPixels (comp, &count, NULL);
  fill = (double) count / (w * h);
  if (fill < 0.68 || fill > 0.92)
    return FALSE;

  /* … and a bold letter that fills as much has a counter (a, e, o); a hole has none. */
  filled = pixHolesByFilling (comp, 4);
  if (filled == NULL)
    return FALSE;
  pixCountPixels (filled, &filled_count, NULL);
  return filled_count - count <= count / 50;
}

typedef struct
{
  int    band;
  int    x, y, w, h;
  double along;   /* centre along the edge, mm */
  double depth;   /* centre's distance from the edge, mm */
  double size;    /* mm */
  int    index;   /* in the band's component list */
  gboolean paired;
} HoleCandidate;

PIX *
_pe_clean_hole_mask (PIX   *bin,
                     int    adpi,
                     guint *n_holes)
{
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (HoleCandidate));
  g_autoptr(GPtrArray) bands = g_ptr_array_new_with_free_func ((GDestroyNotify) _pe_pixa_free);
  PIX *mask;
  int w, h, band;
  guint holes = 0;

  pixGetDimensions (bin, &w, &h, NULL);
  band = MIN (_pe_mm_to_px (HOLE_BAND_MM, adpi), MIN (w, h) / 2);
  mask = pixCreateTemplate (bin);

  /* All four edges: a page fed sideways has its holes at the top or bottom. */
  {
    const int rects[4][4] = {
      { 0, 0, band, h }, { w - band, 0, band, h }, { 0, 0, w, band }, { 0, h - band, w, band },
    };

    for (int i = 0; i < 4; i++)
      {
        g_autoptr(BOX) region = boxCreate (rects[i][0], rects[i][1], rects[i][2], rects[i][3]);
        g_autoptr(PIX) clip = pixClipRectangle (bin, region, NULL);
        g_autoptr(BOXA) boxa = NULL;
        PIXA *pixa = NULL;
        int n;

        g_ptr_array_add (bands, NULL);
        if (clip == NULL || (boxa = pixConnComp (clip, &pixa, 8)) == NULL)
          continue;
        g_ptr_array_index (bands, i) = pixa;

        n = boxaGetCount (boxa);
        for (int j = 0; j < n; j++)
          {
            g_autoptr(PIX) comp = pixaGetPix (pixa, j, L_CLONE);
            HoleCandidate c = { .band = i, .index = j };
            double cx, cy;

            if (!looks_like_hole (comp, adpi))
              continue;
            boxaGetBoxGeometry (boxa, j, &c.x, &c.y, &c.w, &c.h);
            c.x += rects[i][0];
            c.y += rects[i][1];
            cx = (c.x + c.w / 2.0) * 25.4 / adpi;
            cy = (c.y + c.h / 2.0) * 25.4 / adpi;
            c.along = i < 2 ? cy : cx;
            c.depth = i == 0 ? cx : i == 1 ? w * 25.4 / adpi - cx
                    : i == 2 ? cy : h * 25.4 / adpi - cy;
            c.size = MAX (c.w, c.h) * 25.4 / adpi;
            g_array_append_val (candidates, c);
          }
      }
  }

  /* Holes come in pairs at the filing spacing, equally far from the edge (up to the page's
   * skew: 1 mm plus a tenth of their distance, ~6°) and of one size; a lone round blob (a
   * bullet, a logo's dot) is left alone. */
  for (guint i = 0; i < candidates->len; i++)
    for (guint j = i + 1; j < candidates->len; j++)
      {
        HoleCandidate *a = &g_array_index (candidates, HoleCandidate, i);
        HoleCandidate *b = &g_array_index (candidates, HoleCandidate, j);
        double gap = fabs (a->along - b->along);
        double k = gap > 0 ? floor (gap / HOLE_SPACING_MM + 0.5) : 0;

        if (a->band != b->band || fabs (a->depth - b->depth) > 1.0 + 0.1 * gap ||
            fabs (a->size - b->size) > 0.2 * MAX (a->size, b->size) ||
            k < 1 || k > 3 || fabs (gap - k * HOLE_SPACING_MM) > HOLE_SPACING_TOLERANCE_MM)
          continue;
        a->paired = b->paired = TRUE;
      }

  for (guint i = 0; i < candidates->len; i++)
    {
      HoleCandidate *c = &g_array_index (candidates, HoleCandidate, i);
      PIXA *pixa = g_ptr_array_index (bands, c->band);
      g_autoptr(BOX) box = NULL;
      g_autoptr(PIX) comp = NULL;
      int already = 0;

      if (!c->paired)
        continue;
      /* A hole in a corner lies in two bands and is found twice; paint it once. */
      box = boxCreate (c->x, c->y, c->w, c->h);
      pixCountPixelsInRect (mask, box, &already, NULL);
      if (already > 0)
        continue;
      comp = pixaGetPix (pixa, c->index, L_CLONE);
      pixRasterop (mask, c->x, c->y, c->w, c->h, PIX_SRC | PIX_DST, comp, 0, 0);
      holes++;
    }

  if (n_holes != NULL)
    *n_holes = holes;

  if (holes > 0)
    {
      /* Cover the grey rim of the disc as well. */
      PIX *grown = pixDilateBrick (NULL, mask, 5, 5);
      pixDestroy (&mask);
      mask = grown;
    }
  return mask;
}

void
_pe_clean_paint_white (PIX *pix,
                       PIX *mask,
                       int  factor)
{
  g_autoptr(PIX) full = NULL;
  int w, h, depth;
  l_uint32 white;

  pixGetDimensions (pix, &w, &h, &depth);

  if (factor > 1)
    {
      g_autoptr(PIX) expanded = pixExpandReplicate (mask, factor);
      int ew = pixGetWidth (expanded);
      int eh = pixGetHeight (expanded);

      /* The analysis image dropped the odd last row/column; repeat the mask's last one so
       * that a strip at the right or bottom edge is painted to the very edge. */
      full = pixCreate (w, h, 1);
      pixRasterop (full, 0, 0, ew, eh, PIX_SRC, expanded, 0, 0);
      for (int x = ew; x < w; x++)
        pixRasterop (full, x, 0, 1, h, PIX_SRC, full, ew - 1, 0);
      for (int y = eh; y < h; y++)
        pixRasterop (full, 0, y, w, 1, PIX_SRC, full, 0, eh - 1);
    }
  else
    {
      full = pixClone (mask);
    }

  white = depth == 1 ? 0 : depth == 8 ? 255 : 0xffffff00;
  pixPaintThroughMask (pix, full, 0, 0, white);
}

void
_pe_clean_paint_specks (PIX *pix,
                        PIX *specks)
{
  int w, h, depth, wpl, wpls;
  l_uint32 *data, *datas;

  pixGetDimensions (pix, &w, &h, &depth);
  g_assert (pixGetWidth (specks) == w && pixGetHeight (specks) == h);
  if (depth != 8 && depth != 32)
    return;
  data = pixGetData (pix);
  wpl = pixGetWpl (pix);
  datas = pixGetData (specks);
  wpls = pixGetWpl (specks);

  /* A few hundred dots on an empty mask: skip whole zero words instead of testing 8.7 million
   * pixels the way pixPaintThroughMask() does. */
  for (int y = 0; y < h; y++)
    {
      const l_uint32 *ls = datas + (gsize) y * wpls;
      l_uint32 *line = data + (gsize) y * wpl;

      for (int k = 0; k < wpls; k++)
        {
          if (ls[k] == 0)
            continue;
          for (int b = 0; b < 32; b++)
            {
              int x = k * 32 + b;

              if (x >= w || !(ls[k] & (0x80000000u >> b)))
                continue;
              if (depth == 8)
                SET_DATA_BYTE (line, x, 255);
              else
                line[x] = 0xffffff00;
            }
        }
    }
}

static PIX *
apply_mask (PIX *page,
            PIX *mask,
            int  factor)
{
  PIX *out;

  if (pixGetColormap (page) != NULL)
    out = pixRemoveColormap (page, REMOVE_CMAP_BASED_ON_SRC);
  else
    out = pixCopy (NULL, page);
  if (out == NULL)
    return NULL;
  if (pixGetDepth (out) != 1 && pixGetDepth (out) != 8 && pixGetDepth (out) != 32)
    {
      PIX *grey = pe_clean_to_grey (out);
      pixDestroy (&out);
      out = grey;
    }
  _pe_clean_paint_white (out, mask, factor);
  pixCopyResolution (out, page);
  return out;
}

PIX *
pe_clean_remove_borders (PIX    *page,
                         double  max_border_mm,
                         guint  *n_edges)
{
  g_autoptr(PIX) grey = NULL;
  g_autoptr(PIX) bin = NULL;
  g_autoptr(PIX) mask = NULL;
  int dpi, factor;

  g_return_val_if_fail (page != NULL, NULL);

  grey = pe_clean_to_grey (page);
  if (grey == NULL)
    return NULL;
  dpi = _pe_clean_get_dpi (page);
  bin = _pe_clean_analysis_binary (grey, dpi, PE_CLEAN_BORDER_THRESHOLD, &factor);
  if (bin == NULL)
    return NULL;
  mask = _pe_clean_border_mask (bin, dpi / factor, max_border_mm, n_edges);
  return apply_mask (page, mask, factor);
}

PIX *
pe_clean_remove_punch_holes (PIX   *page,
                             guint *n_holes)
{
  g_auto(PeCleanAnalysis) a = { 0 };
  g_autoptr(PIX) plain = NULL;
  g_autoptr(PIX) mask = NULL;

  g_return_val_if_fail (page != NULL, NULL);

  /* Measured with the borders out of the way (a dark strip can swallow a hole), but only the
   * holes are painted. */
  plain = _pe_clean_plain (page);
  if (plain == NULL || !_pe_clean_analyse (plain, TRUE, 25.0, FALSE, TRUE, &a))
    return NULL;
  mask = _pe_clean_hole_mask (a.bin, a.adpi, n_holes);
  return mask != NULL ? apply_mask (page, mask, a.factor) : NULL;
}
