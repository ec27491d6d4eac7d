/* pe-binarize.c: grey conversion, background normalisation, binarisation, despeckle
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "pe-clean-private.h"

int
_pe_clean_get_dpi (PIX *pix)
{
  int dpi = pixGetXRes (pix);
  int w, h;

  if (dpi >= 50 && dpi <= 2400)
    return dpi;

  /* Without a resolution, assume the short side is A4's 210 mm: mail is A4, and a wrong
   * guess only shifts the millimetre-based sizes, never the geometry. */
  pixGetDimensions (pix, &w, &h, NULL);
  dpi = (int) (MIN (w, h) * 25.4 / 210.0 + 0.5);
  return CLAMP (dpi, 50, 2400);
}

double
_pe_clean_elapsed_ms (gint64 start_usec)
{
  return (g_get_monotonic_time () - start_usec) / 1000.0;
}

/* Integer Rec. 601 luma; Leptonica's float conversion costs five times as much and this
 * runs on every colour page. */
PIX *
_pe_clean_rgb_to_grey (PIX    *pix32,
                       int     step,
                       GArray *samples)
{
  int w, h, wpls, wpld;
  l_uint32 *datas, *datad;
  PIX *grey;

  pixGetDimensions (pix32, &w, &h, NULL);
  grey = pixCreateNoInit (w, h, 8);
  if (grey == NULL)
    return NULL;
  datas = pixGetData (pix32);
  datad = pixGetData (grey);
  wpls = pixGetWpl (pix32);
  wpld = pixGetWpl (grey);

  for (int y = 0; y < h; y++)
    {
      const l_uint32 *ls = datas + (gsize) y * wpls;
      l_uint32 *ld = datad + (gsize) y * wpld;

      for (int x = 0; x < w; x++)
        {
          l_uint32 v = ls[x];
          l_uint32 r = v >> 24, g = (v >> 16) & 0xff, b = (v >> 8) & 0xff;

          SET_DATA_BYTE (ld, x, (77 * r + 150 * g + 29 * b + 128) >> 8);
        }

      /* The colour decision's sample, taken while the row is in the cache. */
      if (samples != NULL && y % step == 0)
        for (int x = 0; x < w; x += step)
          g_array_append_val (samples, ls[x]);
    }
  pixCopyResolution (grey, pix32);
  return grey;
}

PIX *
pe_clean_to_grey (PIX *page)
{
  PIX *grey = NULL;
  int depth;

  g_return_val_if_fail (page != NULL, NULL);

  depth = pixGetDepth (page);
  if (pixGetColormap (page) != NULL)
    {
      g_autoptr(PIX) plain = pixRemoveColormap (page, REMOVE_CMAP_BASED_ON_SRC);
      return plain != NULL ? pe_clean_to_grey (plain) : NULL;
    }

  if (depth == 1)
    grey = pixConvert1To8 (NULL, page, 255, 0);
  else if (depth == 8)
    grey = pixCopy (NULL, page);
  else if (depth == 32)
    grey = _pe_clean_rgb_to_grey (page, 1, NULL);
  else
    grey = pixConvertTo8 (page, FALSE);

  if (grey != NULL)
    pixCopyResolution (grey, page);
  return grey;
}

void
_pe_clean_background_tiles (int  dpi,
                  int *sx,
                  int *sy)
{
  /* ~1.3 mm tiles: small enough to follow fold shadows and uneven paper, large enough that
   * most tiles hold some paper between the strokes. */
  *sx = MAX (6, dpi / 20);
  *sy = MAX (6, dpi / 20);
}

PIX *
_pe_clean_normalize_grey (PIX  *grey,
                          PIX **inv_map)
{
  g_autoptr(PIX) map = NULL;
  g_autoptr(PIX) inv = NULL;
  int dpi = _pe_clean_get_dpi (grey);
  int sx, sy;
  PIX *norm;

  g_assert (pixGetDepth (grey) == 8);

  _pe_clean_background_tiles (dpi, &sx, &sy);
  /* Threshold 160: paper, bleed-through and fold shadows are all lighter, so they count as
   * background and are lifted to white; ink is darker and keeps its contrast. */
  if (pixGetBackgroundGrayMap (grey, NULL, sx, sy, PE_CLEAN_INK_THRESHOLD, sx * sy / 4,
                               &map) != 0 || map == NULL ||
      (inv = pixGetInvBackgroundMap (map, 255, 2, 2)) == NULL)
    {
      /* No paper visible anywhere (a page that is all photo): nothing to normalise to. */
      if (inv_map != NULL)
        *inv_map = NULL;
      return pixCopy (NULL, grey);
    }

  norm = pixApplyInvBackgroundGrayMap (grey, inv, sx, sy);
  if (norm != NULL)
    pixCopyResolution (norm, grey);
  if (inv_map != NULL)
    *inv_map = g_steal_pointer (&inv);
  return norm;
}

PIX *
pe_clean_normalize_background (PIX *page)
{
  g_return_val_if_fail (page != NULL, NULL);
  g_return_val_if_fail (pixGetDepth (page) == 8 || pixGetDepth (page) == 32, NULL);
  g_return_val_if_fail (pixGetColormap (page) == NULL, NULL);

  if (pixGetDepth (page) == 8)
    return _pe_clean_normalize_grey (page, NULL);

  {
    g_auto(PeCleanAnalysis) a = { 0 };

    if (!_pe_clean_analyse (page, FALSE, 0, FALSE, TRUE, &a))
      return NULL;
    return _pe_clean_rotate_color (page, &a, TRUE, FALSE, NULL, 0.0);
  }
}

/* Otsu's threshold of the histogram, kept between 100 and 200: on a nearly empty normalised
 * page the histogram is one noise peak, and an unclamped Otsu would split it into speckle. */
static int
otsu_threshold (PIX *grey)
{
  g_autoptr(NUMA) hist = pixGetGrayHistogram (grey, 2);
  double total = 0, sum = 0, sum_b = 0, w_b = 0, best = -1;
  int best_t = PE_CLEAN_INK_THRESHOLD;

  if (hist == NULL)
    return best_t;

  for (int i = 0; i < 256; i++)
    {
      l_float32 v;
      numaGetFValue (hist, i, &v);
      total += v;
      sum += i * (double) v;
    }

  for (int t = 0; t < 256; t++)
    {
      l_float32 v;
      double w_f, m_b, m_f, between;

      numaGetFValue (hist, t, &v);
      w_b += v;
      if (w_b == 0)
        continue;
      w_f = total - w_b;
      if (w_f == 0)
        break;
      sum_b += t * (double) v;
      m_b = sum_b / w_b;
      m_f = (sum - sum_b) / w_f;
      between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
      if (between > best)
        {
          best = between;
          best_t = t + 1;
        }
    }

  return CLAMP (best_t, 100, 200);
}

PIX *
pe_clean_binarize (PIX              *page,
                   PeBinarizeMethod  method)
{
  g_autoptr(PIX) grey = NULL;
  PIX *bin = NULL;
  int dpi;

  g_return_val_if_fail (page != NULL, NULL);

  if (pixGetDepth (page) == 1)
    return pixCopy (NULL, page);

  grey = pe_clean_to_grey (page);
  if (grey == NULL)
    return NULL;
  dpi = _pe_clean_get_dpi (page);

  if (method == PE_BINARIZE_SAUVOLA)
    {
      int w = pixGetWidth (grey);
      int h = pixGetHeight (grey);
      /* ~2 mm window: wider than any stroke, so strokes are judged against their paper. */
      int whsize = MAX (4, _pe_mm_to_px (1.0, dpi));
      int nx = MAX (1, w / 600);
      int ny = MAX (1, h / 600);

      if (pixSauvolaBinarizeTiled (grey, whsize, 0.34f, nx, ny, NULL, &bin) != 0 || bin == NULL)
        return NULL;

      /* Sauvola hollows out solid areas wider than its window (QR modules, bars, bold
       * headings at large sizes): what is clearly dark is ink regardless. */
      {
        g_autoptr(PIX) dark = pixThresholdToBinary (grey, 100);
        pixOr (bin, bin, dark);
      }
    }
  else
    {
      bin = pixThresholdToBinary (grey, otsu_threshold (grey));
    }

  if (bin != NULL)
    pixCopyResolution (bin, page);
  return bin;
}

PIX *
pe_clean_despeckle (PIX    *bitonal,
                    double  max_mm,
                    guint  *n_removed)
{
  int n;
  int before = 0, after = 0;
  PIX *clean;

  g_return_val_if_fail (bitonal != NULL, NULL);
  g_return_val_if_fail (pixGetDepth (bitonal) == 1, NULL);

  n = (int) floor (max_mm * _pe_clean_get_dpi (bitonal) / 25.4);
  if (n < 1)
    {
      if (n_removed != NULL)
        *n_removed = 0;
      return pixCopy (NULL, bitonal);
    }

  /* Keep everything that is larger than @n in either direction: the dots of i and the full
   * stops of small print are larger than scanner speckle at the same resolution. */
  clean = pixSelectBySize (bitonal, n + 1, n + 1, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
  if (clean == NULL)
    return NULL;
  pixCopyResolution (clean, bitonal);

  if (n_removed != NULL)
    {
      pixCountPixels (bitonal, &before, NULL);
      pixCountPixels (clean, &after, NULL);
      *n_removed = (guint) MAX (0, before - after);
    }
  return clean;
}

PIX *
_pe_clean_reduce_grey (PIX *grey,
                       int  dpi,
                       int *factor)
{
  PIX *reduced = pixClone (grey);
  int f = 1;

  g_assert (pixGetDepth (grey) == 8);

  while (dpi / (f * 2) >= PE_CLEAN_ANALYSIS_MIN_DPI)
    {
      PIX *half = pixScaleAreaMap2 (reduced);

      if (half == NULL)
        break;
      pixDestroy (&reduced);
      reduced = half;
      f *= 2;
    }

  pixSetResolution (reduced, dpi / f, dpi / f);
  *factor = f;
  return reduced;
}

PIX *
_pe_clean_analysis_binary (PIX *grey,
                           int  dpi,
                           int  threshold,
                           int *factor)
{
  g_autoptr(PIX) reduced = _pe_clean_reduce_grey (grey, dpi, factor);
  PIX *bin = reduced != NULL ? pixThresholdToBinary (reduced, threshold) : NULL;

  if (bin != NULL)
    pixCopyResolution (bin, reduced);
  return bin;
}

PIX *
_pe_clean_apply_map (PIX *grey,
                     PIX *inv_map,
                     int  sx,
                     int  sy)
{
  PIX *out = pixApplyInvBackgroundGrayMap (grey, inv_map, sx, sy);
  int w, h, cw, ch;

  if (out == NULL)
    return NULL;
  pixCopyResolution (out, grey);

  /* A map made at a lower resolution may stop a pixel or two short of the page's right and
   * bottom edge (left black by Leptonica); repeat the last normalised column and row. */
  pixGetDimensions (grey, &w, &h, NULL);
  cw = MIN (w, sx * pixGetWidth (inv_map));
  ch = MIN (h, sy * pixGetHeight (inv_map));
  for (int x = cw; x < w; x++)
    pixRasterop (out, x, 0, 1, ch, PIX_SRC, out, cw - 1, 0);
  for (int y = ch; y < h; y++)
    pixRasterop (out, 0, y, w, 1, PIX_SRC, out, 0, ch - 1);
  return out;
}

double
_pe_clean_midtone_fraction (PIX *grey)
{
  int w, h, wpl;
  l_uint32 *data;
  guint64 n = 0, mid = 0;

  g_assert (pixGetDepth (grey) == 8);

  pixGetDimensions (grey, &w, &h, NULL);
  data = pixGetData (grey);
  wpl = pixGetWpl (grey);

  /* A sparse sample is enough: photos cover large areas. */
  for (int y = 0; y < h; y += 4)
    {
      l_uint32 *line = data + (gsize) y * wpl;

      for (int x = 0; x < w; x += 4)
        {
          int v = GET_DATA_BYTE (line, x);

          n++;
          if (v > 60 && v < 200)
            mid++;
        }
    }

  return n > 0 ? (double) mid / n : 0;
}
