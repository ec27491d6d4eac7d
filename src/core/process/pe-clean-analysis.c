/* pe-clean-analysis.c: the reduced view of a page that the cleanup steps measure on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "pe-clean-private.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Integer Rec. 601 luma (as _pe_clean_rgb_to_grey()); a 1 bpp page is black on white. */
G_ALWAYS_INLINE static inline guint
luma_at (const l_uint32 *line,
         int             x,
         int             depth)
{
  if (depth == 32)
    {
      l_uint32 v = line[x];

      return (77 * (v >> 24) + 150 * ((v >> 16) & 0xff) + 29 * ((v >> 8) & 0xff) + 128) >> 8;
    }
  if (depth == 8)
    return GET_DATA_BYTE (line, x);
  return GET_DATA_BIT (line, x) ? 0 : 255;
}

#ifdef __SSE2__
/* Channel @shift of 8 RGBA pixels as 16-bit lanes. */
static inline __m128i
channel_epi16 (__m128i p0,
               __m128i p1,
               int     shift)
{
  __m128i mask = _mm_set1_epi32 (0xff);
  __m128i count = _mm_cvtsi32_si128 (shift);

  return _mm_packs_epi32 (_mm_and_si128 (_mm_srl_epi32 (p0, count), mask),
                          _mm_and_si128 (_mm_srl_epi32 (p1, count), mask));
}

/* Luma of 8 RGBA pixels (16-bit lanes), the integer formula of luma_at(). */
static inline __m128i
luma_epi16 (__m128i p0,
            __m128i p1)
{
  __m128i r = channel_epi16 (p0, p1, 24), g = channel_epi16 (p0, p1, 16);
  __m128i b = channel_epi16 (p0, p1, 8);

  /* At most 65 408: fits the unsigned 16 bits that the shift reads. */
  return _mm_srli_epi16 (_mm_add_epi16 (_mm_add_epi16 (_mm_mullo_epi16 (r, _mm_set1_epi16 (77)),
                                                       _mm_mullo_epi16 (g, _mm_set1_epi16 (150))),
                                        _mm_add_epi16 (_mm_mullo_epi16 (b, _mm_set1_epi16 (29)),
                                                       _mm_set1_epi16 (128))), 8);
}

/* Two rows of a 32 bpp page into one row of 2 × 2 luma means (@lr, plain byte order) and the
 * luma of every second pixel of the first row (@lp), 4 output pixels at a time; returns how
 * many were done. The same numbers as luma per pixel and then pixScaleAreaMap2(), as the
 * analysis was made before. */
static int
reduce2_rgb_sse2 (const l_uint32 *l0,
                  const l_uint32 *l1,
                  int             rw,
                  guint8         *lr,
                  guint8         *lp)
{
  const __m128i ones = _mm_set1_epi16 (1);
  const __m128i even = _mm_set1_epi32 (0xffff);
  int i = 0;

  for (; i + 4 <= rw; i += 4)
    {
      __m128i a0 = _mm_loadu_si128 ((const __m128i *) (l0 + 2 * i));
      __m128i a1 = _mm_loadu_si128 ((const __m128i *) (l0 + 2 * i + 4));
      __m128i b0 = _mm_loadu_si128 ((const __m128i *) (l1 + 2 * i));
      __m128i b1 = _mm_loadu_si128 ((const __m128i *) (l1 + 2 * i + 4));
      __m128i la = luma_epi16 (a0, a1), lb = luma_epi16 (b0, b1);
      __m128i sum, sample;
      guint32 v;

      /* Sample: the even pixels of the first row (the low 16 bits of each 32-bit lane). */
      sample = _mm_and_si128 (la, even);
      sample = _mm_packs_epi32 (sample, sample);
      sample = _mm_packus_epi16 (sample, sample);
      if (lp != NULL)
        {
          v = (guint32) _mm_cvtsi128_si32 (sample);
          memcpy (lp + i, &v, sizeof v);
        }

      /* Mean: both rows added, pairs summed (pmaddwd), truncated as pixScaleAreaMap2(). */
      sum = _mm_srli_epi32 (_mm_madd_epi16 (_mm_add_epi16 (la, lb), ones), 2);
      sum = _mm_packs_epi32 (sum, sum);
      sum = _mm_packus_epi16 (sum, sum);
      v = (guint32) _mm_cvtsi128_si32 (sum);
      memcpy (lr + i, &v, sizeof v);
    }
  return i;
}

/* Two rows of an 8 bpp page into their 2 × 2 means (@lr) and every second pixel of the first
 * row (@lp), both in Leptonica's layout, 8 output pixels (two words) at a time; returns how
 * many were done. In a word the pixel pairs are its two 16-bit halves, so sums and samples
 * are masks and shifts of whole words. */
static int
reduce2_grey_sse2 (const l_uint32 *l0,
                   const l_uint32 *l1,
                   int             rw,
                   l_uint32       *lr,
                   l_uint32       *lp)
{
  const __m128i mask = _mm_set1_epi32 (0x00ff00ff);
  int i = 0;

  for (; i + 8 <= rw; i += 8)
    {
      __m128i a = _mm_loadu_si128 ((const __m128i *) (l0 + i / 2));
      __m128i b = _mm_loadu_si128 ((const __m128i *) (l1 + i / 2));
      /* Per 32-bit lane (pixels 0 1 2 3 from the top byte): pixels 0 and 2, then 1 and 3. */
      __m128i a_even = _mm_and_si128 (_mm_srli_epi32 (a, 8), mask);
      __m128i sum = _mm_add_epi16 (_mm_add_epi16 (a_even, _mm_and_si128 (a, mask)),
                                   _mm_add_epi16 (_mm_and_si128 (_mm_srli_epi32 (b, 8), mask),
                                                  _mm_and_si128 (b, mask)));
      __m128i mean = _mm_srli_epi16 (sum, 2);
      /* Each lane is (first pair << 16 | second pair); packing gives bytes second, first per
       * lane, so swap the 16-bit halves of each output word into Leptonica's order. */
      __m128i packed = _mm_packus_epi16 (mean, mean);
      __m128i sample = _mm_packus_epi16 (a_even, a_even);

      packed = _mm_or_si128 (_mm_srli_epi32 (packed, 16), _mm_slli_epi32 (packed, 16));
      sample = _mm_or_si128 (_mm_srli_epi32 (sample, 16), _mm_slli_epi32 (sample, 16));
      _mm_storel_epi64 ((__m128i *) (lr + i / 4), packed);
      if (lp != NULL)
        _mm_storel_epi64 ((__m128i *) (lp + i / 4), sample);
    }
  return i;
}
#endif

/* The plain row @p into Leptonica's 8 bpp layout. */
static void
store_row (const guint8 *p,
           int           w,
           l_uint32     *line)
{
  for (int k = 0; k < w / 4; k++)
    {
      guint32 v;

      memcpy (&v, p + 4 * k, sizeof v);
      line[k] = GUINT32_FROM_BE (v);
    }
  for (int x = w / 4 * 4; x < w; x++)
    SET_DATA_BYTE (line, x, p[x]);
}

/* One pass over the page as scanned: its luma averaged over factor × factor blocks
 * (@reduced), the luma of every factor-th pixel of every factor-th row (@sample) and, for the
 * colour decision, every @step-th pixel of every @step-th row (@samples, 32 bpp only). This is
 * the only time the full page is read before the final pass, and nothing full-size is
 * written: a colour page is 35 MB at 300 dpi, and its full-size grey copy cost ~8 ms to make.
 * @depth and @factor are constants in each expansion. */
G_ALWAYS_INLINE static inline void
reduce_page (PIX      *src,
             int       depth,
             int       factor,
             int       step,
             guint32  *samples,
             PIX      *reduced,
             PIX      *sample)
{
  int w, h, rw, rh, wpls, wplr, wplp, shift = 0, n = 0;
  l_uint32 *datas, *datar, *datap;
  g_autofree guint *acc = NULL;
  g_autofree guint8 *plain = NULL;

  while ((1 << shift) < factor)
    shift++;
  pixGetDimensions (src, &w, &h, NULL);
  rw = pixGetWidth (reduced);
  rh = pixGetHeight (reduced);
  datas = pixGetData (src);
  wpls = pixGetWpl (src);
  datar = pixGetData (reduced);
  wplr = pixGetWpl (reduced);
  datap = sample != NULL ? pixGetData (sample) : NULL;
  wplp = sample != NULL ? pixGetWpl (sample) : 0;
  acc = g_new0 (guint, rw);
  plain = g_malloc (2 * (gsize) rw + 16);

  for (int y = 0; y < h; y++)
    {
      const l_uint32 *ls = datas + (gsize) y * wpls;
      int j = y >> shift;

      if (j < rh)
        {
          l_uint32 *lr = datar + (gsize) j * wplr;

#ifdef __SSE2__
          if (depth == 32 && factor == 2 && datap != NULL)
            {
              if ((y & 1) == 0 && y + 1 < h)
                {
                  guint8 *pr = plain, *pp = plain + rw;
                  l_uint32 *lp = datap + (gsize) j * wplp;
                  int done = reduce2_rgb_sse2 (ls, ls + wpls, rw, pr, pp);

                  for (int i = done; i < rw; i++)
                    {
                      guint sum = 0;

                      for (int k = 0; k < 2; k++)
                        sum += luma_at (ls, 2 * i + k, 32) + luma_at (ls + wpls, 2 * i + k, 32);
                      pr[i] = sum >> 2;
                      pp[i] = luma_at (ls, 2 * i, 32);
                    }
                  store_row (pr, rw, lr);
                  store_row (pp, rw, lp);
                }
            }
          else if (depth == 8 && factor == 2 && datap != NULL)
            {
              if ((y & 1) == 0 && y + 1 < h)
                {
                  l_uint32 *lp = datap + (gsize) j * wplp;
                  int done = reduce2_grey_sse2 (ls, ls + wpls, rw, lr, lp);

                  for (int i = done; i < rw; i++)
                    {
                      guint sum = luma_at (ls, 2 * i, 8) + luma_at (ls, 2 * i + 1, 8) +
                                  luma_at (ls + wpls, 2 * i, 8) + luma_at (ls + wpls, 2 * i + 1, 8);

                      SET_DATA_BYTE (lr, i, sum >> 2);
                      SET_DATA_BYTE (lp, i, luma_at (ls, 2 * i, 8));
                    }
                }
            }
          else
#endif
          if (factor == 1)
            {
              for (int x = 0; x < rw; x++)
                SET_DATA_BYTE (lr, x, luma_at (ls, x, depth));
            }
          else
            {
              for (int i = 0; i < rw; i++)
                {
                  guint sum = 0;

                  for (int k = 0; k < factor; k++)
                    sum += luma_at (ls, i * factor + k, depth);
                  acc[i] += sum;
                }
              if ((y & (factor - 1)) == 0 && datap != NULL)
                {
                  l_uint32 *lp = datap + (gsize) j * wplp;

                  for (int i = 0; i < rw; i++)
                    SET_DATA_BYTE (lp, i, luma_at (ls, i * factor, depth));
                }
              if ((y & (factor - 1)) == factor - 1)
                {
                  for (int i = 0; i < rw; i++)
                    {
                      SET_DATA_BYTE (lr, i, acc[i] >> (2 * shift));
                      acc[i] = 0;
                    }
                }
            }
        }

      /* The colour decision's sample, taken while the row is in the cache. */
      if (samples != NULL && y % step == 0)
        for (int x = 0; x < w; x += step)
          samples[n++] = ls[x];
    }
}

static gboolean
reduce (PIX              *src,
        int               step,
        GArray           *samples,
        PeCleanAnalysis  *a)
{
  int w, h, depth = pixGetDepth (src), f = a->factor;

  pixGetDimensions (src, &w, &h, NULL);
  a->reduced = pixCreateNoInit (w / f, h / f, 8);
  a->sample = f > 1 ? pixCreateNoInit (w / f, h / f, 8) : NULL;
  if (a->reduced == NULL || (f > 1 && a->sample == NULL))
    return FALSE;
  if (samples != NULL)
    g_array_set_size (samples, (gsize) ((h + step - 1) / step) * ((w + step - 1) / step));

  /* Each depth and the usual factor as its own expansion, without tests per pixel; the usual
   * cases (factor 2 at 300 dpi) take the SSE2 loops. */
#define REDUCE(d, fac) \
  reduce_page (src, d, fac, step, samples != NULL ? (guint32 *) samples->data : NULL, \
               a->reduced, a->sample)
  if (depth == 32)
    {
      if (f == 2)
        REDUCE (32, 2);
      else
        REDUCE (32, f);
    }
  else if (depth == 8)
    {
      if (f == 2)
        REDUCE (8, 2);
      else
        REDUCE (8, f);
    }
  else
    {
      REDUCE (1, f);
    }
#undef REDUCE

  pixSetResolution (a->reduced, a->adpi, a->adpi);
  if (a->sample != NULL)
    pixSetResolution (a->sample, a->adpi, a->adpi);
  return TRUE;
}

/* A skewed feed's dark corners end in slivers a pixel thin along the page's edge, too thin
 * for the border threshold at the analysis resolution (one dark pixel in a 2 × 2 mean is
 * grey; and a last odd row or column is not in the means at all). Left there, straightening
 * puts them on the cleaned page's outermost rows, where Tesseract takes them for text and
 * hands Leptonica boxes outside the page ("Error in boxClipToRectangle", seen on the
 * degraded corpus). Dark pixels on the page's two outermost lines are erased as well. */
static void
mark_edge_slivers (PIX *src,
                   int  factor,
                   PIX *erase)
{
  int w, h, ew, eh, wpl, depth = pixGetDepth (src), shift = 0;
  l_uint32 *data = pixGetData (src);

  while ((1 << shift) < factor)
    shift++;
  pixGetDimensions (src, &w, &h, NULL);
  pixGetDimensions (erase, &ew, &eh, NULL);
  wpl = pixGetWpl (src);
  for (int k = 0; k < MIN (2, MIN (w, h)); k++)
    {
      const int rows[2] = { k, h - 1 - k }, cols[2] = { k, w - 1 - k };

      for (int j = 0; j < 2; j++)
        {
          const l_uint32 *line = data + (gsize) rows[j] * wpl;

          for (int x = 0; x < w; x++)
            if (luma_at (line, x, depth) < PE_CLEAN_BORDER_THRESHOLD)
              pixSetPixel (erase, MIN (x >> shift, ew - 1), MIN (rows[j] >> shift, eh - 1), 1);
          for (int y = 0; y < h; y++)
            if (luma_at (data + (gsize) y * wpl, cols[j], depth) < PE_CLEAN_BORDER_THRESHOLD)
              pixSetPixel (erase, MIN (cols[j] >> shift, ew - 1), MIN (y >> shift, eh - 1), 1);
        }
    }
}

gboolean
_pe_clean_analyse (PIX             *src,
                   gboolean         crop_borders,
                   double           max_border_mm,
                   gboolean         remove_holes,
                   gboolean         normalize,
                   PeCleanAnalysis *a)
{
  int depth = pixGetDepth (src);
  int empty = 1;

  g_assert (depth == 1 || depth == 8 || depth == 32);
  g_assert (pixGetColormap (src) == NULL);

  *a = (PeCleanAnalysis) { 0 };
  a->dpi = _pe_clean_get_dpi (src);
  a->factor = 1;
  while (a->dpi / (a->factor * 2) >= PE_CLEAN_ANALYSIS_MIN_DPI)
    a->factor *= 2;
  a->adpi = a->dpi / a->factor;
  a->paper[0] = a->paper[1] = a->paper[2] = 255;

  if (depth == 32)
    {
      g_autoptr(GArray) samples = g_array_new (FALSE, FALSE, sizeof (guint32));
      int step = MAX (1, a->dpi / 100);

      if (!reduce (src, step, samples, a))
        return FALSE;
      _pe_clean_color_stats ((const guint32 *) samples->data, samples->len, &a->color_fraction,
                             a->paper);
    }
  else if (!reduce (src, 1, NULL, a))
    {
      return FALSE;
    }

  if (crop_borders)
    {
      g_autoptr(PIX) raw = pixThresholdToBinary (a->reduced, PE_CLEAN_BORDER_THRESHOLD);

      if (raw == NULL)
        return FALSE;
      a->erase = _pe_clean_border_mask (raw, a->adpi, max_border_mm, &a->n_edges);
      if (a->erase == NULL)
        return FALSE;
      mark_edge_slivers (src, a->factor, a->erase);

      /* Painted before normalisation: a dark strip would otherwise count as paper missing its
       * background and be smeared into the neighbouring tiles. */
      pixZero (a->erase, &empty);
      if (!empty)
        {
          _pe_clean_paint_white (a->reduced, a->erase, 1);
          if (a->sample != NULL)
            _pe_clean_paint_white (a->sample, a->erase, 1);
        }
    }

  if (normalize && depth != 1)
    {
      g_autoptr(PIX) map = NULL;
      int sx, sy;

      /* The background map is made at the analysis resolution (a quarter of the pixels) and
       * applied at full resolution by _pe_clean_render(). */
      _pe_clean_background_tiles (a->adpi, &sx, &sy);
      if (pixGetBackgroundGrayMap (a->reduced, NULL, sx, sy, PE_CLEAN_INK_THRESHOLD, sx * sy / 4,
                                   &map) == 0 && map != NULL)
        a->inv_map = pixGetInvBackgroundMap (map, 255, 2, 2);
      if (a->inv_map != NULL)
        {
          a->map_sx = sx * a->factor;
          a->map_sy = sy * a->factor;
          a->norm = _pe_clean_apply_map (a->reduced, a->inv_map, sx, sy);
        }
    }
  if (a->norm == NULL)
    {
      /* Not normalised, or no paper visible anywhere (a page that is all photo). */
      a->norm = pixCopy (NULL, a->reduced);   /* holes are painted on it */
    }
  if (a->norm == NULL)
    return FALSE;
  pixSetResolution (a->norm, a->adpi, a->adpi);

  a->bin = pixThresholdToBinary (a->norm, PE_CLEAN_INK_THRESHOLD);
  if (a->bin == NULL)
    return FALSE;
  pixSetResolution (a->bin, a->adpi, a->adpi);
  if (a->erase == NULL)
    a->erase = pixCreateTemplate (a->bin);
  else if (!empty)
    pixSubtract (a->bin, a->bin, a->erase);

  if (remove_holes)
    {
      g_autoptr(PIX) holes = _pe_clean_hole_mask (a->bin, a->adpi, &a->n_holes);

      if (holes == NULL)
        return FALSE;
      if (a->n_holes > 0)
        {
          pixSubtract (a->bin, a->bin, holes);
          pixOr (a->erase, a->erase, holes);
          _pe_clean_paint_white (a->norm, holes, 1);
          if (a->sample != NULL)
            _pe_clean_paint_white (a->sample, holes, 1);
        }
    }

  /* Without reduction the sample is the page itself, normalised already. */
  if (a->sample == NULL)
    {
      a->sample = pixClone (a->norm);
      a->sample_normalised = TRUE;
    }

  return TRUE;
}

int
_pe_clean_page_threshold (const PeCleanAnalysis *a)
{
  double hist[256] = { 0 };
  g_autofree guint16 *lift = NULL;
  int w, h, wpl, mw = 1, mh = 1, sx = 1, sy = 1;
  l_uint32 *data;
  gboolean normalise = a->inv_map != NULL && !a->sample_normalised;

  /* The histogram of the sample as the final pass will normalise it (no normalised copy).
   * At 300 dpi the sample is every second pixel of every second row of the page, exactly the
   * pixels whose histogram the threshold was computed from before (pixGetGrayHistogram() with
   * factor 2 on the normalised page): fewer moved the threshold by 1–3 on a third of the
   * corpus pages, and Tesseract read the bitonal pages ~0.2 % worse. */
  pixGetDimensions (a->sample, &w, &h, NULL);
  data = pixGetData (a->sample);
  wpl = pixGetWpl (a->sample);
  lift = g_new (guint16, w);
  if (normalise)
    {
      pixGetDimensions (a->inv_map, &mw, &mh, NULL);
      sx = a->map_sx / a->factor;
      sy = a->map_sy / a->factor;
    }
  for (int y = 0, row_tile = -1; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl;
      int tile = MIN (y / sy, mh - 1);

      if (tile != row_tile)
        {
          const l_uint32 *mline = normalise ? pixGetData (a->inv_map) +
                                              (gsize) tile * pixGetWpl (a->inv_map) : NULL;

          for (int x = 0; x < w; x++)
            lift[x] = normalise ? GET_DATA_TWO_BYTES (mline, MIN (x / sx, mw - 1)) : 256;
          row_tile = tile;
        }
      for (int x = 0; x < w; x++)
        hist[MIN (255u, (GET_DATA_BYTE (line, x) * (guint) lift[x]) >> 8)]++;
    }
  return _pe_clean_otsu_histogram (hist);
}

void
_pe_clean_analysis_clear (PeCleanAnalysis *a)
{
  pixDestroy (&a->reduced);
  pixDestroy (&a->norm);
  pixDestroy (&a->sample);
  pixDestroy (&a->bin);
  pixDestroy (&a->erase);
  pixDestroy (&a->inv_map);
}
