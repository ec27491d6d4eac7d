/* pe-color.c: the colour decision per page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-clean-private.h"

/* Distance between the strongest and weakest channel, after the paper colour is divided
 * out, that makes a pixel "coloured": stamps, highlighter and blue ink are far above it,
 * yellowed paper and JPEG colour fringes at black text far below. */
#define COLOR_MIN_CHROMA 60

/* Share of mid-grey samples above which a page holds a photo or a grey-scale drawing whose
 * tones matter; text pages have mid-grey only at stroke edges. */
#define GREY_MIN_MIDTONE 0.15

static int
histogram_peak (const guint *hist)
{
  int best = 255;

  for (int i = 0; i < 256; i++)
    if (hist[i] > hist[best])
      best = i;
  return best;
}

void
_pe_clean_color_stats (const guint32 *samples,
                       gsize          n,
                       double        *fraction,
                       int            paper[3])
{
  guint hist[3][256] = { { 0 } };
  guint8 lut[3][256];
  gsize colored = 0;
  double f[3];

  /* The paper's colour is the most frequent value of each channel among light pixels. */
  for (gsize i = 0; i < n; i++)
    {
      /* The channels by hand: extractRGBValues() is a call into the library per sample, and
       * there are a million of them on a 300 dpi page. */
      int r = samples[i] >> 24, g = (samples[i] >> 16) & 0xff, b = (samples[i] >> 8) & 0xff;

      if (r + g + b > 3 * 150)
        {
          hist[0][r]++;
          hist[1][g]++;
          hist[2][b]++;
        }
    }
  for (int k = 0; k < 3; k++)
    {
      paper[k] = MAX (1, histogram_peak (hist[k]));
      f[k] = 255.0 / paper[k];
      /* The same products as (int) (v * f[k]), looked up. */
      for (int v = 0; v < 256; v++)
        lut[k][v] = (guint8) MIN (255, (int) (v * f[k]));
    }

  for (gsize i = 0; i < n; i++)
    {
      int r = lut[0][samples[i] >> 24];
      int g = lut[1][(samples[i] >> 16) & 0xff];
      int b = lut[2][(samples[i] >> 8) & 0xff];
      int hi = MAX (r, MAX (g, b));
      int lo = MIN (r, MIN (g, b));

      colored += hi - lo >= COLOR_MIN_CHROMA;
    }

  *fraction = n > 0 ? (double) colored / n : 0;
}

double
_pe_clean_color_fraction (PIX *pix32,
                          int  dpi)
{
  g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (guint32));
  int w, h, wpl, paper[3];
  /* Every third pixel at 300 dpi still sees a 0.3 mm pen stroke. */
  int step = MAX (1, dpi / 100);
  l_uint32 *data;
  double fraction;

  g_assert (pixGetDepth (pix32) == 32);

  pixGetDimensions (pix32, &w, &h, NULL);
  data = pixGetData (pix32);
  wpl = pixGetWpl (pix32);
  for (int y = 0; y < h; y += step)
    for (int x = 0; x < w; x += step)
      g_array_append_val (samples, data[(gsize) y * wpl + x]);

  _pe_clean_color_stats ((const guint32 *) samples->data, samples->len, &fraction, paper);
  return fraction;
}

PeColorPolicy
_pe_clean_decide_color (PeColorPolicy  policy,
                        int            depth,
                        double         color_fraction,
                        double         min_fraction,
                        PIX           *norm_grey)
{
  switch (policy)
    {
    case PE_COLOR_BITONAL:
      return PE_COLOR_BITONAL;
    case PE_COLOR_GREY:
      return depth == 1 ? PE_COLOR_BITONAL : PE_COLOR_GREY;
    case PE_COLOR_COLOR:
      return depth == 1 ? PE_COLOR_BITONAL : depth == 32 ? PE_COLOR_COLOR : PE_COLOR_GREY;
    case PE_COLOR_AUTO:
    default:
      break;
    }

  if (depth == 1)
    return PE_COLOR_BITONAL;
  if (depth == 32 && color_fraction >= min_fraction)
    return PE_COLOR_COLOR;
  if (norm_grey != NULL && _pe_clean_midtone_fraction (norm_grey) >= GREY_MIN_MIDTONE)
    return PE_COLOR_GREY;
  return PE_COLOR_BITONAL;
}

PeColorPolicy
pe_clean_choose_color (PIX           *page,
                       PeColorPolicy  policy,
                       double         min_fraction,
                       double        *color_fraction)
{
  int depth;
  double fraction = 0;
  g_autoptr(PIX) norm = NULL;

  g_return_val_if_fail (page != NULL, PE_COLOR_BITONAL);

  depth = pixGetDepth (page);
  if (pixGetColormap (page) != NULL)
    depth = 32;   /* a colormapped page may hold colour; resolved below */

  if (depth == 32 && (policy == PE_COLOR_AUTO || color_fraction != NULL))
    {
      g_autoptr(PIX) rgb = pixGetColormap (page) != NULL
                           ? pixRemoveColormap (page, REMOVE_CMAP_TO_FULL_COLOR)
                           : pixClone (page);

      if (rgb != NULL && pixGetDepth (rgb) == 32)
        fraction = _pe_clean_color_fraction (rgb, _pe_clean_get_dpi (page));
    }
  if (color_fraction != NULL)
    *color_fraction = fraction;

  if (policy == PE_COLOR_AUTO && (depth == 8 || (depth == 32 && fraction < min_fraction)))
    {
      g_autoptr(PIX) grey = pe_clean_to_grey (page);

      norm = grey != NULL ? pe_clean_normalize_background (grey) : NULL;
    }
  return _pe_clean_decide_color (policy, depth, fraction, min_fraction, norm);
}
